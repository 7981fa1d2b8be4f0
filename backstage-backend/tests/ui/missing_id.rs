use backstage_backend::prelude::*;

#[backstage_backend::backend_module(plugin = "todo")]
async fn extra(ctx: ModuleContext) -> Result<(), BackendError> {
    let _ = ctx;
    Ok(())
}

fn main() {}
