//! `#[derive(ConfigSection)]`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{DeriveInput, LitStr, Path};

pub(crate) fn expand(input: DeriveInput) -> syn::Result<TokenStream> {
    let mut path: Option<LitStr> = None;
    let mut required = false;
    let mut krate: Path = syn::parse_quote!(::backstage_core);
    for attr in input
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("config_section"))
    {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("path") {
                let lit: LitStr = meta.value()?.parse()?;
                if lit.value().is_empty() || lit.value().split('.').any(str::is_empty) {
                    return Err(meta.error("`path` must be a dotted config path such as \"catalog\" or \"integrations.github\""));
                }
                path = Some(lit);
                Ok(())
            } else if meta.path.is_ident("required") {
                required = true;
                Ok(())
            } else if meta.path.is_ident("crate") {
                let lit: LitStr = meta.value()?.parse()?;
                krate = lit.parse()?;
                Ok(())
            } else {
                Err(meta.error("unknown attribute; expected `path = \"...\"`, `required` or `crate = \"...\"`"))
            }
        })?;
    }
    let Some(path) = path else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "add #[config_section(path = \"...\")] to name the config path of this section",
        ));
    };
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics #krate::config::ConfigSection for #ident #ty_generics #where_clause {
            const PATH: &'static str = #path;
            const REQUIRED: bool = #required;
        }
    })
}
