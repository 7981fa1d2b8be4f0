use backstage_backend::prelude::*;

#[backstage_backend::backend_plugin(id = "Todo_List")]
async fn todo(ctx: PluginContext) -> Result<(), BackendError> {
    let _ = ctx;
    Ok(())
}

fn main() {}
