use backstage_frontend::create_page_extension;

fn main() {
    let _ = create_page_extension! {
        title: "No path",
        render: |_req| async { Ok(maud::html! {}) },
    };
}
