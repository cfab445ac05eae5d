//! The signed-in person: what the browser may know of them, the server
//! functions that tell it and end the session, and the page's resource.

use super::{WireJson, resource};
use crate::domain::Role;
use crate::error::AppError;
use crate::i18n::{Msg, t};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Who is signed in, as the browser may know it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub display_name: String,
    pub kind: MeKind,
    pub grants: Vec<Role>,
    pub must_change_password: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum MeKind {
    Staff {
        staff_no: String,
        department: String,
    },
    /// Signed in by phone; `resident` when the number belongs to a household.
    Phone {
        masked: String,
        resident: bool,
    },
}

impl Me {
    pub fn has(&self, role: Role) -> bool {
        self.grants.contains(&role)
    }
    pub fn is_staff(&self) -> bool {
        matches!(self.kind, MeKind::Staff { .. })
    }
}

/// What the browser may know of a signed-in principal.
#[cfg(feature = "ssr")]
pub fn me_of(p: &crate::platform::context::Principal) -> Me {
    match &p.subject {
        crate::platform::context::Subject::Staff(s) => Me {
            display_name: s.name.clone(),
            kind: MeKind::Staff { staff_no: s.staff_no.clone(), department: s.department_name.clone() },
            grants: {
                let mut g: Vec<Role> = p.grants.iter().map(|(r, _)| *r).collect();
                g.dedup();
                g
            },
            must_change_password: s.must_change_password,
        },
        crate::platform::context::Subject::Phone { phone, resident_household } => Me {
            display_name: phone.masked(),
            kind: MeKind::Phone { masked: phone.masked(), resident: resident_household.is_some() },
            grants: vec![],
            must_change_password: false,
        },
    }
}

server_fn! {
    "sign_out";
    /// Ends this session on the server and clears the cookie.
    pub async fn sign_out() -> Result<(), AppError> {
        use crate::platform::context::*;
        respond(async move {
            let st = state()?;
            if let Some(p) = principal().await? {
                crate::platform::session::end(&st.db, &p.session_hash, st.clock.now_ms()).await?;
            }
            set_cookie(crate::platform::session::clear_cookie_header(st.config.secure_cookies()));
            Ok(())
        })
        .await
    }
}

server_fn! {
    "current_user";
    /// The signed-in person, or `None`. Public: the shell asks it on every page.
    pub async fn current_user() -> Result<Option<Me>, AppError> {
        use crate::platform::context::*;
        respond(async move { Ok(principal().await?.as_ref().map(me_of)) }).await
    }
}

/// The signed-in person, loaded once per page view.
#[derive(Clone, Copy)]
pub struct MeResource(pub Resource<Result<Option<Me>, AppError>, WireJson>);

pub fn provide_me() -> MeResource {
    let r = MeResource(resource(|| (), |_| current_user()));
    provide_context(r);
    r
}

/// Renders `render` once the signed-in person is known.
#[component]
pub fn WithMe<F, V>(render: F) -> impl IntoView
where
    F: Fn(Option<Me>) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    let me = expect_context::<MeResource>().0;
    view! {
        <Suspense fallback=|| view! { <p class="muted">{t(Msg::Loading)}</p> }>
            {move || {
                let render = render.clone();
                Suspend::new(async move { render(me.await.ok().flatten()) })
            }}
        </Suspense>
    }
}
