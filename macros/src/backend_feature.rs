//! `#[backend_plugin]` and `#[backend_module]`: an async init function
//! becomes a function that returns the feature.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::parse::Parser;
use syn::{Expr, FnArg, ItemFn, LitStr, Path, ReturnType};

/// Which feature the attribute makes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Plugin,
    Module,
}

impl Kind {
    fn attribute(self) -> &'static str {
        match self {
            Kind::Plugin => "#[backend_plugin]",
            Kind::Module => "#[backend_module]",
        }
    }

    fn context(self) -> &'static str {
        match self {
            Kind::Plugin => "PluginContext",
            Kind::Module => "ModuleContext",
        }
    }
}

struct Args {
    id: Option<LitStr>,
    plugin: Option<LitStr>,
    consumes: Vec<Path>,
    krate: Path,
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn parse_args(kind: Kind, attr: TokenStream) -> syn::Result<Args> {
    let mut args = Args {
        id: None,
        plugin: None,
        consumes: Vec::new(),
        krate: syn::parse_quote!(::backstage_backend),
    };
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("id") {
            args.id = Some(meta.value()?.parse()?);
            Ok(())
        } else if meta.path.is_ident("plugin") && kind == Kind::Module {
            args.plugin = Some(meta.value()?.parse()?);
            Ok(())
        } else if meta.path.is_ident("consumes") && kind == Kind::Module {
            let list: Expr = meta.value()?.parse()?;
            let Expr::Array(array) = list else {
                return Err(meta.error(
                    "`consumes` takes a list of extension point refs: consumes = [MY_POINT]",
                ));
            };
            for element in array.elems {
                match element {
                    Expr::Path(p) => args.consumes.push(p.path),
                    other => {
                        return Err(syn::Error::new_spanned(
                            other,
                            "expected the path of an ExtensionPointRef constant",
                        ));
                    }
                }
            }
            Ok(())
        } else if meta.path.is_ident("crate") {
            let lit: LitStr = meta.value()?.parse()?;
            args.krate = lit.parse()?;
            Ok(())
        } else {
            Err(meta.error(match kind {
                Kind::Plugin => "unknown argument; #[backend_plugin] takes `id = \"...\"` and optionally `crate = \"...\"`",
                Kind::Module => "unknown argument; #[backend_module] takes `plugin = \"...\"`, `id = \"...\"`, and optionally `consumes = [...]` and `crate = \"...\"`",
            }))
        }
    });
    parser.parse2(attr)?;
    Ok(args)
}

fn check_id(lit: &Option<LitStr>, what: &str, kind: Kind) -> syn::Result<LitStr> {
    let Some(lit) = lit else {
        return Err(syn::Error::new(
            proc_macro2::Span::call_site(),
            format!(
                "{} needs `{what} = \"...\"`, e.g. {what} = \"catalog\"",
                kind.attribute()
            ),
        ));
    };
    if !valid_id(&lit.value()) {
        return Err(syn::Error::new_spanned(
            lit,
            format!(
                "{what} {:?} is not valid: it must start with a lowercase letter followed by lowercase letters, digits or '-'",
                lit.value()
            ),
        ));
    }
    Ok(lit.clone())
}

fn check_signature(kind: Kind, function: &ItemFn) -> syn::Result<()> {
    let signature = &function.sig;
    let expected = format!(
        "{} expects `async fn name(ctx: {}) -> Result<(), E>`",
        kind.attribute(),
        kind.context()
    );
    if signature.asyncness.is_none() {
        return Err(syn::Error::new_spanned(
            signature.fn_token,
            format!("{expected}; this function is not async"),
        ));
    }
    if !signature.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &signature.generics,
            format!("{expected}; it cannot be generic"),
        ));
    }
    if signature.inputs.len() != 1 {
        return Err(syn::Error::new_spanned(
            &signature.inputs,
            format!("{expected}; it must take exactly one argument, the context"),
        ));
    }
    if let Some(FnArg::Typed(arg)) = signature.inputs.first() {
        let named_right = match &*arg.ty {
            syn::Type::Path(p) => p
                .path
                .segments
                .last()
                .is_some_and(|s| s.ident == kind.context()),
            _ => false,
        };
        if !named_right {
            return Err(syn::Error::new_spanned(
                &arg.ty,
                format!("{expected}; the argument must be the `{}`", kind.context()),
            ));
        }
    } else {
        return Err(syn::Error::new_spanned(
            &signature.inputs,
            format!("{expected}; `self` is not allowed"),
        ));
    }
    if matches!(signature.output, ReturnType::Default) {
        return Err(syn::Error::new_spanned(
            &signature.ident,
            format!("{expected}; return a Result so that a failed start can be reported"),
        ));
    }
    Ok(())
}

/// The first line of the doc comment, used as the plugin's description.
fn description(function: &ItemFn) -> Option<String> {
    function.attrs.iter().find_map(|attr| {
        let syn::Meta::NameValue(nv) = &attr.meta else {
            return None;
        };
        if !nv.path.is_ident("doc") {
            return None;
        }
        match &nv.value {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value().trim().to_owned()),
            _ => None,
        }
    })
}

pub(crate) fn expand(kind: Kind, attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let function: ItemFn = syn::parse2(item).map_err(|e| {
        syn::Error::new(
            e.span(),
            format!(
                "{} goes on the plugin's async init function: `async fn name(ctx: {}) -> Result<(), E>`",
                kind.attribute(),
                kind.context()
            ),
        )
    })?;
    let args = parse_args(kind, attr)?;
    check_signature(kind, &function)?;
    let id = check_id(&args.id, "id", kind)?;
    let krate = &args.krate;
    let vis = &function.vis;
    let name = &function.sig.ident;
    let docs: Vec<_> = function
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .collect();
    let other_attrs: Vec<_> = function
        .attrs
        .iter()
        .filter(|a| !a.path().is_ident("doc"))
        .collect();
    let inner = format_ident!("__backstage_init_{}", name);
    let mut init_fn = function.clone();
    init_fn.sig.ident = inner.clone();
    init_fn.vis = syn::Visibility::Inherited;
    init_fn.attrs = other_attrs.into_iter().cloned().collect();
    let describe = description(&function).map(|d| quote!(.description(#d)));
    let builder = match kind {
        Kind::Plugin => quote! {
            #krate::BackendPlugin::builder(#id)
                .package(env!("CARGO_PKG_NAME"))
                #describe
        },
        Kind::Module => {
            let plugin = check_id(&args.plugin, "plugin", kind)?;
            let consumes = &args.consumes;
            quote! {
                #krate::BackendModule::builder(#plugin, #id)
                    .package(env!("CARGO_PKG_NAME"))
                    #( .consumes(&#consumes) )*
            }
        }
    };
    let output = match kind {
        Kind::Plugin => quote!(#krate::BackendPlugin),
        Kind::Module => quote!(#krate::BackendModule),
    };
    Ok(quote! {
        #(#docs)*
        #vis fn #name() -> #output {
            #init_fn
            #builder.init(#inner)
        }
    })
}
