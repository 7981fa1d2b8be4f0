use backstage_backend::prelude::*;

#[backstage_backend::backend_plugin(id = "todo")]
fn todo(ctx: PluginContext) -> Result<(), BackendError> {
    let _ = ctx;
    Ok(())
}

fn main() {}
