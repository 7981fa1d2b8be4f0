//! A generated company: `n` entities of the built-in kinds in one
//! multi-document `catalog-info.yaml`, with the relations a real catalog
//! has — teams in departments under one organization, users in teams,
//! systems in domains, APIs and resources in systems, components owned by
//! teams that provide and consume APIs and depend on resources.

use std::fmt::Write as _;

/// The generated catalog file and what a benchmark needs to know about it.
#[derive(Debug)]
pub(crate) struct Company {
    /// The file's text.
    pub(crate) yaml: String,
    /// Entities in the file.
    pub(crate) entities: usize,
    /// Names of the components (for by-name lookups).
    pub(crate) component_names: Vec<String>,
    /// Users in the file.
    pub(crate) users: usize,
}

/// How many of each kind `n` entities hold.
#[derive(Clone, Copy, Debug)]
struct Shape {
    departments: usize,
    teams: usize,
    users: usize,
    domains: usize,
    systems: usize,
    apis: usize,
    resources: usize,
    components: usize,
}

impl Shape {
    fn of(n: usize) -> Self {
        let teams = (n / 50).max(2);
        let departments = (teams / 10).max(1);
        let users = n / 5;
        let domains = (n / 1000).max(1);
        let systems = (n / 40).max(1);
        let apis = n * 12 / 100;
        let resources = n / 20;
        // One organization group besides departments and teams.
        let others = 1 + departments + teams + users + domains + systems + apis + resources;
        Self {
            departments,
            teams,
            users,
            domains,
            systems,
            apis: apis.max(1),
            resources: resources.max(1),
            components: n.saturating_sub(others).max(1),
        }
    }

    fn total(&self) -> usize {
        1 + self.departments
            + self.teams
            + self.users
            + self.domains
            + self.systems
            + self.apis
            + self.resources
            + self.components
    }
}

const LANGUAGES: [&str; 7] = [
    "java",
    "go",
    "rust",
    "python",
    "typescript",
    "kotlin",
    "scala",
];
const LIFECYCLES: [&str; 3] = ["production", "experimental", "deprecated"];
const COMPONENT_TYPES: [&str; 3] = ["service", "website", "library"];
const API_TYPES: [&str; 3] = ["openapi", "grpc", "asyncapi"];
const RESOURCE_TYPES: [&str; 3] = ["database", "s3-bucket", "queue"];

fn team(i: usize) -> String {
    format!("team-{i:05}")
}

fn system(i: usize) -> String {
    format!("system-{i:05}")
}

fn api(i: usize) -> String {
    format!("api-{i:06}")
}

fn resource(i: usize) -> String {
    format!("resource-{i:06}")
}

/// Generates a company of (about) `n` entities; tiny `n` still yields one
/// of each kind.
pub(crate) fn generate(n: usize) -> Company {
    let shape = Shape::of(n);
    let mut yaml = String::with_capacity(shape.total() * 600);
    let mut component_names = Vec::with_capacity(shape.components);

    let _ = write!(
        yaml,
        "---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: kestrel\n  title: Kestrel Freight\nspec:\n  type: organization\n  profile:\n    displayName: Kestrel Freight\n  children: []\n"
    );
    for d in 0..shape.departments {
        let _ = write!(
            yaml,
            "---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: dept-{d:03}\nspec:\n  type: department\n  profile:\n    displayName: Department {d}\n  parent: kestrel\n  children: []\n"
        );
    }
    for t in 0..shape.teams {
        let _ = write!(
            yaml,
            "---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {}\n  description: Team {t} of department {}\nspec:\n  type: team\n  profile:\n    displayName: Team {t}\n    email: team-{t}@kestrel.example\n  parent: dept-{:03}\n  children: []\n",
            team(t),
            t % shape.departments,
            t % shape.departments,
        );
    }
    for u in 0..shape.users {
        let _ = write!(
            yaml,
            "---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: user-{u:06}\nspec:\n  profile:\n    displayName: User {u}\n    email: user-{u}@kestrel.example\n  memberOf: [{}]\n",
            team(u % shape.teams)
        );
    }
    for d in 0..shape.domains {
        let _ = write!(
            yaml,
            "---\napiVersion: backstage.io/v1alpha1\nkind: Domain\nmetadata:\n  name: domain-{d:03}\n  description: Business domain {d}\nspec:\n  owner: dept-{:03}\n",
            d % shape.departments
        );
    }
    for s in 0..shape.systems {
        let _ = write!(
            yaml,
            "---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: {}\n  description: System {s}\nspec:\n  owner: {}\n  domain: domain-{:03}\n",
            system(s),
            team(s % shape.teams),
            s % shape.domains
        );
    }
    for a in 0..shape.apis {
        let _ = write!(
            yaml,
            "---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: {}\n  description: API {a} of system {}\n  tags: [{}]\nspec:\n  type: {}\n  lifecycle: {}\n  owner: {}\n  system: {}\n  definition: |\n    openapi: 3.0.0\n    info:\n      title: API {a}\n      version: 1.0.0\n    paths: {{}}\n",
            api(a),
            a % shape.systems,
            LANGUAGES[a % LANGUAGES.len()],
            API_TYPES[a % API_TYPES.len()],
            LIFECYCLES[(a / 3) % LIFECYCLES.len()],
            team((a * 7) % shape.teams),
            system(a % shape.systems),
        );
    }
    for r in 0..shape.resources {
        let _ = write!(
            yaml,
            "---\napiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: {}\nspec:\n  type: {}\n  owner: {}\n  system: {}\n",
            resource(r),
            RESOURCE_TYPES[r % RESOURCE_TYPES.len()],
            team((r * 3) % shape.teams),
            system(r % shape.systems),
        );
    }
    for c in 0..shape.components {
        let name = format!("component-{c:06}");
        let repo = format!("repo-{:05}", c / 4);
        let owner = team((c * 7) % shape.teams);
        let _ = write!(
            yaml,
            "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  title: Component {c}\n  description: Component {c} does useful things for {owner}\n  tags: [{}, {}]\n  annotations:\n    backstage.io/source-location: url:https://git.kestrel.example/kestrel/{repo}/\n    git.kestrel.example/project-slug: kestrel/{repo}\n  links:\n    - url: https://dash.kestrel.example/c/{c}\n      title: Dashboard\nspec:\n  type: {}\n  lifecycle: {}\n  owner: {owner}\n  system: {}\n  providesApis: [{}]\n  consumesApis: [{}, {}]\n  dependsOn: ['resource:{}']\n",
            LANGUAGES[c % LANGUAGES.len()],
            LANGUAGES[(c / 7) % LANGUAGES.len()],
            COMPONENT_TYPES[c % COMPONENT_TYPES.len()],
            LIFECYCLES[(c / 3) % LIFECYCLES.len()],
            system(c % shape.systems),
            api(c % shape.apis),
            api((c * 13 + 1) % shape.apis),
            api((c * 31 + 2) % shape.apis),
            resource(c % shape.resources),
        );
        component_names.push(name);
    }
    Company {
        yaml,
        entities: shape.total(),
        component_names,
        users: shape.users,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_company_has_the_asked_size_and_every_kind() {
        for n in [50, 1_000, 20_000] {
            let company = generate(n);
            assert_eq!(company.entities, n, "{n}");
            assert_eq!(company.yaml.matches("\n---\n").count() + 1, n);
            for kind in [
                "Group",
                "User",
                "Domain",
                "System",
                "API",
                "Resource",
                "Component",
            ] {
                assert!(company.yaml.contains(&format!("kind: {kind}\n")), "{kind}");
            }
            assert_eq!(company.users, n / 5);
        }
    }
}
