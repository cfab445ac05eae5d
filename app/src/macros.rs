/// Every server function is declared through this macro: the `#[server]`
/// endpoint under `/api/fn` and, on the server, a tracing span named after
/// the endpoint. `skip_all`: arguments may be personal data (an ID number,
/// a mobile) and are never logged; `respond` records who called.
macro_rules! server_fn {
    ($ep:literal $(, $k:ident = $v:ty)* ; $(#[$m:meta])* pub async fn $name:ident ($($arg:ident : $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        $(#[$m])*
        #[server(prefix = "/api/fn", endpoint = $ep $(, $k = $v)*)]
        #[cfg_attr(feature = "ssr", tracing::instrument(name = $ep, skip_all, fields(caller = tracing::field::Empty)))]
        pub async fn $name($($arg: $ty),*) -> $ret $body
    };
}

/// A server function open only to holders of one role (or of any of the
/// roles listed in brackets). The role check runs first, on the server,
/// before anything else in the body.
macro_rules! role_fn {
    // Arguments as JSON (nested types); `Json` must be in scope.
    (json [$($role:ident),+], $($rest:tt)*) => { role_fn!(@any (, input = Json) [$($role),+], $($rest)*); };
    ([$($role:ident),+], $($rest:tt)*) => { role_fn!(@any () [$($role),+], $($rest)*); };
    ($role:ident, $($rest:tt)*) => { role_fn!(@any () [$role], $($rest)*); };
    (@any ($($opt:tt)*) [$($role:ident),+], $(#[$m:meta])* $name:ident $ep:literal ( $($arg:ident : $ty:ty),* ) -> $ret:ty => |$st:ident, $me:ident| $body:expr) => {
        server_fn! {
            $ep $($opt)*;
            $(#[$m])*
            pub async fn $name($($arg: $ty),*) -> Result<$ret, crate::error::AppError> {
                use crate::platform::context::*;
                respond(async move {
                    let $me = require_any_role(&[$(crate::domain::Role::$role),+]).await?;
                    let $st = state()?;
                    let _ = &$me;
                    $body
                })
                .await
            }
        }
    };
}

/// A server function open to anyone signed in (a visitor or staff member
/// who has set their own password); `AppError`, `Msg` and `Json` must be in scope.
macro_rules! app_fn {
    ($(#[$m:meta])* $name:ident $ep:literal ( $($arg:ident : $ty:ty),* ) -> $ret:ty => |$st:ident, $me:ident| $body:expr) => {
        server_fn! {
            $ep, input = Json;
            $(#[$m])*
            pub async fn $name($($arg: $ty),*) -> Result<$ret, AppError> {
                use crate::platform::context::*;
                respond(async move {
                    let $me = require_signed_in().await?;
                    if $me.staff().is_some_and(|s| s.must_change_password) {
                        return Err(AppError::Conflict { msg: Msg::MustChangePassword });
                    }
                    let $st = state()?;
                    $body
                })
                .await
            }
        }
    };
}
