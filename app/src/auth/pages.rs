use super::*;
use crate::components::{ErrorLine, FieldHint, PrivacyNotice, go_to, next_path};
use crate::domain::Phone;
use crate::i18n::{Msg, t};

/// Visitors and residents: phone number, then the code sent to it.
#[component]
pub fn PhoneSignInPage() -> impl IntoView {
    let phone = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let send = ServerAction::<RequestSmsCode>::new();
    let sign_in = ServerAction::<SignInWithSms>::new();
    let countdown = RwSignal::new(0i32);

    // Checked as typed, with the same parser the server uses.
    let phone_problem = Signal::derive(move || {
        let p = phone.get();
        (!p.trim().is_empty() && Phone::parse(&p).is_err()).then_some(Msg::ErrPhoneInvalid)
    });
    let send_error = Signal::derive(move || send.value().get().and_then(Result::err));
    let sign_in_error = Signal::derive(move || sign_in.value().get().and_then(Result::err));
    let sent = move || matches!(send.value().get(), Some(Ok(())));

    Effect::new(move |_| {
        if let Some(Ok(())) = send.value().get() {
            countdown.set(60);
        }
    });
    Effect::new(move |prev: Option<bool>| {
        let running = countdown.get() > 0;
        if running && prev != Some(true) {
            tick_down(countdown);
        }
        running
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = sign_in.value().get() {
            go_to(&next_path());
        }
    });

    view! {
        <section class="card narrow">
            <h1>{t(Msg::SignInVisitor)}</h1>
            <p class="muted">{t(Msg::SignInVisitorHint)}</p>
            <form on:submit=move |ev| {
                ev.prevent_default();
                sign_in.dispatch(SignInWithSms { phone: phone.get_untracked(), code: code.get_untracked() });
            }>
                <label for="phone">{t(Msg::Phone)}</label>
                <div class="row">
                    <input id="phone" name="phone" type="tel" inputmode="numeric" autocomplete="tel"
                        placeholder=t(Msg::PhonePlaceholder)
                        prop:value=phone
                        on:input=move |ev| phone.set(event_target_value(&ev)) />
                    <button type="button" class="secondary" id="send-code"
                        disabled=move || { countdown.get() > 0 || send.pending().get() || phone.get().trim().is_empty() || phone_problem.get().is_some() }
                        on:click=move |_| { send.dispatch(RequestSmsCode { phone: phone.get_untracked() }); }>
                        {move || if countdown.get() > 0 { format!("{} {}", countdown.get(), Msg::ResendIn.text(crate::i18n::use_i18n().lang())) } else { t(Msg::SendCode)().to_owned() }}
                    </button>
                </div>
                <FieldHint problem=phone_problem />
                <ErrorLine error=send_error />
                <Show when=sent>
                    <p class="ok" role="status">{t(Msg::CodeSent)}</p>
                </Show>
                <label for="code">{t(Msg::SmsCode)}</label>
                <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6"
                    placeholder=t(Msg::SmsCodePlaceholder)
                    prop:value=code
                    on:input=move |ev| code.set(event_target_value(&ev)) />
                <ErrorLine error=sign_in_error />
                <button type="submit" class="primary" disabled=move || sign_in.pending().get()>{t(Msg::SignIn)}</button>
                <PrivacyNotice />
            </form>
        </section>
    }
}

fn tick_down(countdown: RwSignal<i32>) {
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(move || countdown.update(|c| *c = (*c - 1).max(0)), std::time::Duration::from_secs(1));
        if let Ok(handle) = handle {
            Effect::new(move |_| {
                if countdown.get() == 0 {
                    handle.clear();
                }
            });
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = countdown;
}

/// The campus sign-on above the staff sign-in form: the campus CAS
/// (统一身份认证) and enterprise WeChat where configured, and why a sign-on
/// sent the person back (`?error=<Msg>`). Outside the page's island: the
/// people bundle leaves it the server's HTML (its links work as links, the
/// language switch relabels them), the main bundle hydrates it. Inside the
/// WeCom app the server sends the person on before this page
/// (`server::sign_on::silent_wecom`).
#[component]
pub fn SignOnChoices() -> impl IntoView {
    let options = crate::components::resource(|| (), |_| sign_in_methods());
    let next = crate::components::query_param("next").as_deref().and_then(crate::domain::site_path::safe_next).unwrap_or("/").to_owned();
    let next = crate::components::encode_component(&next);
    let returned = crate::components::query_param("error").as_deref().and_then(Msg::from_name);
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let next = next.clone();
                Suspend::new(async move {
                    let Ok(o) = options.await else { return ().into_any() };
                    (o.cas || o.wecom || returned.is_some()).then(|| view! {
                        <section class="card narrow sign-on">
                            {returned.map(|msg| view! { <p class="error" role="alert">{t(msg)}</p> })}
                            {o.cas.then(|| view! {
                                <a class="button primary" id="sign-in-cas" href=format!("/auth/cas?next={next}")>{t(Msg::SignInWithCas)}</a>
                                <p class="muted small" id="sign-in-cas-hint">{t(Msg::SignInCasHint)}</p>
                            })}
                            {o.wecom.then(|| view! {
                                <a class="button secondary" id="sign-in-wecom" href=format!("/auth/wecom?next={next}")>{t(Msg::SignInWithWeCom)}</a>
                            })}
                            {(o.cas || o.wecom).then(|| view! { <p class="muted" id="sign-in-password-instead">{t(Msg::SignInPasswordInstead)}</p> })}
                        </section>
                    }).into_any()
                })
            }}
        </Suspense>
    }
}

/// Staff: staff number and password.
#[component]
pub fn StaffSignInPage() -> impl IntoView {
    let staff_no = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let sign_in = ServerAction::<SignInWithPassword>::new();
    let error = Signal::derive(move || sign_in.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(me)) = sign_in.value().get() {
            go_to(&if me.must_change_password { "/account/password".to_owned() } else { next_path() });
        }
    });
    view! {
        <section class="card narrow">
            <h1>{t(Msg::SignInStaff)}</h1>
            <p class="muted">{t(Msg::SignInStaffHint)}</p>
            <form on:submit=move |ev| {
                ev.prevent_default();
                sign_in.dispatch(SignInWithPassword { staff_no: staff_no.get_untracked(), password: password.get_untracked() });
            }>
                <label for="staff_no">{t(Msg::StaffNo)}</label>
                <input id="staff_no" name="staff_no" autocomplete="username" autocapitalize="characters"
                    prop:value=staff_no on:input=move |ev| staff_no.set(event_target_value(&ev)) />
                <label for="password">{t(Msg::Password)}</label>
                <input id="password" name="password" type="password" autocomplete="current-password"
                    prop:value=password on:input=move |ev| password.set(event_target_value(&ev)) />
                <ErrorLine error=error />
                <button type="submit" class="primary" disabled=move || sign_in.pending().get()>{t(Msg::SignIn)}</button>
            </form>
        </section>
    }
}

/// Staff replace their password here (and must, after an initial one).
#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    view! {
        <crate::components::WithMe render=|me| match me {
            Some(me) if me.is_staff() => view! { <ChangePasswordForm me /> }.into_any(),
            Some(_) => view! { <crate::components::Refusal msg=Msg::ErrForbidden /> }.into_any(),
            None => view! { <crate::components::Refusal msg=Msg::ErrUnauthenticated /> }.into_any(),
        } />
    }
}

#[component]
fn ChangePasswordForm(me: Me) -> impl IntoView {
    let must_change = me.must_change_password;
    let own_staff_no = match &me.kind {
        MeKind::Staff { staff_no, .. } => staff_no.clone(),
        MeKind::Phone { .. } => String::new(),
    };
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let action = ServerAction::<ChangePassword>::new();
    let mismatch = Signal::derive(move || (!again.get().is_empty() && again.get() != new.get()).then_some(Msg::PasswordsDiffer));
    let weak = Signal::derive(move || {
        let n = new.get();
        (!n.is_empty() && !crate::domain::account::password_is_acceptable(&n, &own_staff_no)).then_some(Msg::ErrPasswordWeak)
    });
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            go_to("/");
        }
    });
    view! {
        <section class="card narrow">
            <h1>{t(Msg::ChangePassword)}</h1>
            <Show when=move || must_change>
                <p class="notice">{t(Msg::MustChangePassword)}</p>
            </Show>
            <form on:submit=move |ev| {
                ev.prevent_default();
                if mismatch.get_untracked().is_none() {
                    action.dispatch(ChangePassword { current: current.get_untracked(), new: new.get_untracked() });
                }
            }>
                <label for="current">{t(Msg::CurrentPassword)}</label>
                <input id="current" type="password" autocomplete="current-password"
                    prop:value=current on:input=move |ev| current.set(event_target_value(&ev)) />
                <label for="new">{t(Msg::NewPassword)}</label>
                <input id="new" type="password" autocomplete="new-password"
                    prop:value=new on:input=move |ev| new.set(event_target_value(&ev)) />
                <p class="muted small">{t(Msg::PasswordRule)}</p>
                <FieldHint problem=weak />
                <label for="again">{t(Msg::NewPasswordAgain)}</label>
                <input id="again" type="password" autocomplete="new-password"
                    prop:value=again on:input=move |ev| again.set(event_target_value(&ev)) />
                <FieldHint problem=mismatch />
                <ErrorLine error=error />
                <button type="submit" class="primary" disabled=move || action.pending().get()>{t(Msg::Save)}</button>
            </form>
        </section>
    }
}
