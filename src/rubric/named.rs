//! Settings enums named in TOML: each variant declared once with its name.

/// Declares a settings enum whose variants are written in TOML by name (`Variant = "name"`), with
/// `NAMES` (every variant by its name, in order: what the rubric reader accepts and suggests),
/// `name` and `from_name`.
macro_rules! settings_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $t:ident {
            $($(#[$vmeta:meta])* $v:ident = $name:literal,)+
        }
    ) => {
        $(#[$meta])*
        $vis enum $t {
            $($(#[$vmeta])* $v,)+
        }

        impl $t {
            /// Every variant by its name as written in TOML.
            pub const NAMES: &[(&str, $t)] = &[$(($name, $t::$v)),+];

            /// The name as written in TOML.
            pub fn name(self) -> &'static str {
                match self {
                    $($t::$v => $name,)+
                }
            }

            /// The variant written as `name`, if any.
            pub fn from_name(name: &str) -> Option<$t> {
                Self::NAMES.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
            }
        }
    };
}
pub(crate) use settings_enum;
