#[backstage_backend::backend_plugin(id = "todo")]
struct Todo;

fn main() {}
