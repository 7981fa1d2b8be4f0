use backstage_frontend::create_page_extension;

fn main() {
    let _ = create_page_extension! {
        path: "/x",
        title: "Wrong render",
        render: |_req| async { Ok::<String, backstage_frontend::PageError>(String::from("<p>raw</p>")) },
    };
}
