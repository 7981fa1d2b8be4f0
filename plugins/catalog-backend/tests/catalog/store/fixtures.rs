//! An imaginary company, Quillfeather Logistics: groups, users, systems,
//! components and APIs with tags, annotations, relations, long values and
//! mixed case.

use serde_json::{Value, json};

fn rel(kind: &str, target: &str) -> Value {
    json!({"type": kind, "targetRef": target})
}

/// A few dozen varied entities.
pub(crate) fn company() -> Vec<Value> {
    let long_description = "Routes parcels ".repeat(20); // 300 characters
    let long_key = format!("quillfeather.io/{}", "x".repeat(190));
    let mut out = vec![
        json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Group",
            "metadata": {"name": "Team-Falcon", "description": "Dispatch and routing"},
            "spec": {"type": "team", "children": [], "members": ["ada", "Bo"]},
            "relations": [rel("hasMember", "user:default/ada"), rel("hasMember", "user:default/bo"), rel("childOf", "group:default/engineering")]
        }),
        json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Group",
            "metadata": {"name": "engineering", "labels": {"tier": "org"}},
            "spec": {"type": "department", "children": ["Team-Falcon", "team-heron"]},
            "relations": [rel("parentOf", "group:default/team-falcon"), rel("parentOf", "group:default/team-heron")]
        }),
        json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Group",
            "metadata": {"name": "team-heron", "namespace": "ops"},
            "spec": {"type": "Team", "children": []}
        }),
        json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "User",
            "metadata": {"name": "ada"},
            "spec": {"profile": {"displayName": "Ada Quill", "email": "ada@quillfeather.example"}, "memberOf": ["Team-Falcon"]},
            "relations": [rel("memberOf", "group:default/team-falcon")]
        }),
        json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "User",
            "metadata": {"name": "Bo", "tags": ["oncall"]},
            "spec": {"profile": {"displayName": "Bo Feather"}, "memberOf": ["team-falcon", "ops/team-heron"]},
            "relations": [rel("memberOf", "group:default/team-falcon"), rel("memberOf", "group:ops/team-heron")]
        }),
        json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "System",
            "metadata": {"name": "dispatch", "title": "Dispatch Platform"},
            "spec": {"owner": "team-falcon", "domain": "logistics"},
            "relations": [rel("ownedBy", "group:default/team-falcon"), rel("hasPart", "component:default/route-planner")]
        }),
        json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {
                "name": "route-planner", "title": "Route Planner",
                "description": long_description,
                "tags": ["Java", "routing", "grpc"],
                "annotations": {
                    "backstage.io/managed-by-location": "url:https://git.quillfeather.example/dispatch/catalog-info.yaml",
                    "backstage.io/techdocs-ref": "dir:.",
                    long_key: "too long a key"
                },
                "links": [{"url": "https://grafana.quillfeather.example/d/routes", "title": "Dashboard"}]
            },
            "spec": {"type": "service", "lifecycle": "production", "owner": "team-falcon", "system": "dispatch",
                     "providesApis": ["route-api"], "replicas": 3, "critical": true, "sla": 99.9, "retired": null},
            "relations": [rel("ownedBy", "group:default/team-falcon"), rel("partOf", "system:default/dispatch"), rel("providesApi", "api:default/route-api")]
        }),
        json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": "Parcel-Tracker", "tags": ["java", "Kafka"],
                          "annotations": {"backstage.io/managed-by-location": "url:https://git.quillfeather.example/dispatch/catalog-info.yaml"}},
            "spec": {"type": "Service", "lifecycle": "experimental", "owner": "group:ops/team-heron", "consumesApis": ["route-api"], "replicas": 3.0},
            "relations": [rel("ownedBy", "group:ops/team-heron"), rel("consumesApi", "api:default/route-api")]
        }),
        json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": "web-shop", "namespace": "retail", "tags": ["typescript", "website"]},
            "spec": {"type": "website", "lifecycle": "production", "owner": "group:default/team-falcon", "dependsOn": ["resource:default/orders-db"]},
            "relations": [rel("ownedBy", "group:default/team-falcon"), rel("dependsOn", "resource:default/orders-db")]
        }),
        json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "API",
            "metadata": {"name": "route-api", "description": "Routes, stops and ETAs"},
            "spec": {"type": "openapi", "lifecycle": "production", "owner": "team-falcon", "definition": "openapi: 3.0.0\ninfo:\n  title: Routes"},
            "relations": [rel("ownedBy", "group:default/team-falcon"), rel("apiProvidedBy", "component:default/route-planner"), rel("apiConsumedBy", "component:default/parcel-tracker")]
        }),
        json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Resource",
            "metadata": {"name": "orders-db", "labels": {"engine": "postgres"}},
            "spec": {"type": "database", "owner": "team-heron"},
            "status": {"items": [{"type": "x", "level": "error", "message": "hidden"}]}
        }),
    ];
    // A generated tail: more components and users with overlapping values.
    let types = ["service", "website", "library", "Service", "batch-job"];
    let lifecycles = ["production", "experimental", "deprecated"];
    let owners = ["team-falcon", "group:ops/team-heron", "engineering"];
    let tags = ["java", "go", "rust", "python", "Java", "grpc", "kafka"];
    for i in 0..40usize {
        let mut tag_list = vec![tags[i % tags.len()]];
        if i % 3 == 0 {
            tag_list.push(tags[(i + 2) % tags.len()]);
        }
        let owner = owners[i % owners.len()];
        let owner_ref = if owner.contains(':') {
            owner.to_owned()
        } else {
            format!("group:default/{owner}")
        };
        let mut spec = json!({
            "type": types[i % types.len()],
            "lifecycle": lifecycles[i % lifecycles.len()],
            "owner": owner,
        });
        if i % 4 == 0 {
            spec["system"] = json!("dispatch");
        }
        let mut meta = json!({
            "name": format!("svc-{i:02}"),
            "tags": tag_list,
        });
        if i % 5 == 0 {
            meta["title"] = json!(format!("Service Number {i}"));
        }
        if i % 7 == 0 {
            meta["annotations"] =
                json!({"quillfeather.io/tier": if i % 2 == 0 { "Gold" } else { "silver" }});
        }
        let namespace = if i % 6 == 5 { Some("retail") } else { None };
        if let Some(ns) = namespace {
            meta["namespace"] = json!(ns);
        }
        let mut relations = vec![rel("ownedBy", &owner_ref)];
        if i % 4 == 0 {
            relations.push(rel("partOf", "system:default/dispatch"));
        }
        out.push(json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": if i % 10 == 9 { "component" } else { "Component" },
            "metadata": meta,
            "spec": spec,
            "relations": relations,
        }));
    }
    for i in 0..8usize {
        out.push(json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "User",
            "metadata": {"name": format!("user-{i}")},
            "spec": {"memberOf": [if i % 2 == 0 { "team-falcon" } else { "ops/team-heron" }],
                     "profile": {"email": format!("User{i}@Quillfeather.example")}},
            "relations": [rel("memberOf", if i % 2 == 0 { "group:default/team-falcon" } else { "group:ops/team-heron" })]
        }));
    }
    out
}

/// The lowercased ref of a fixture entity.
pub(crate) fn entity_ref(entity: &Value) -> String {
    let kind = entity["kind"].as_str().unwrap_or_default();
    let ns = entity["metadata"]["namespace"]
        .as_str()
        .unwrap_or("default");
    let name = entity["metadata"]["name"].as_str().unwrap_or_default();
    format!("{kind}:{ns}/{name}").to_lowercase()
}
