use backstage_backend::prelude::*;

#[backstage_backend::backend_module(plugin = "todo", id = "extra")]
async fn extra(ctx: PluginContext) -> Result<(), BackendError> {
    let _ = ctx;
    Ok(())
}

fn main() {}
