//! The language of a page, reactive: the message table itself (`Msg`, both
//! languages side by side) is the domain crate's `messages`.

pub use crate::domain::messages::{Lang, Msg, OfficeMsg, PageMsg, Text};
use leptos::prelude::*;

/// The language in effect for this page, shared through context.
#[derive(Clone, Copy)]
pub struct I18n(pub RwSignal<Lang>);

pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| I18n(RwSignal::new(Lang::Zh)))
}

impl I18n {
    pub fn lang(&self) -> Lang {
        self.0.get()
    }
}

/// Reactive text for a message: re-renders when the language changes.
pub fn t(msg: impl Text) -> impl Fn() -> &'static str + Send + Sync + Copy + 'static {
    let i18n = use_i18n();
    move || msg.text(i18n.0.get())
}
