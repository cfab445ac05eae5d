/// A server function open only to holders of one role. The role check runs
/// first, on the server, before anything else in the body.
macro_rules! role_fn {
    ($role:ident, $(#[$m:meta])* $name:ident $ep:literal ( $($arg:ident : $ty:ty),* ) -> $ret:ty => |$st:ident, $me:ident| $body:expr) => {
        $(#[$m])*
        #[server(prefix = "/api/fn", endpoint = $ep)]
        pub async fn $name($($arg: $ty),*) -> Result<$ret, crate::error::AppError> {
            use crate::platform::context::*;
            respond(async move {
                let $me = require_role(crate::domain::Role::$role).await?;
                let $st = state()?;
                let _ = &$me;
                $body
            })
            .await
        }
    };
}
