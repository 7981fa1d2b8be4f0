//! Queries: predicates translated to SQL over the index, ordering, paging,
//! counts, full-text filtering and facets.

use backstage_backend::services::database::Dialect;
use backstage_plugin_catalog_common::search::MAX_SEARCH_KEY_LENGTH;
use backstage_plugin_catalog_common::{
    ElementCondition, EntityOrder, EntityPredicate, FieldCondition, Primitive, SortOrder,
};
use sea_query::{Expr, ExprTrait, JoinType, LikeExpr, Order, Query, SelectStatement};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::dict::{Dictionary, KnownIds};
use super::error::StoreError;
use super::schema::{ENTITIES, POSTINGS, VALUES};
use super::{CatalogStore, opt_text, text};

/// The most entities one page may ask for.
pub const MAX_LIMIT: u64 = 10_000;

/// What to fetch: a filter, an order, a position and a page size.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EntityQuery {
    /// Only entities matching this predicate (all when `None`).
    pub filter: Option<EntityPredicate>,
    /// Only entities with a value containing a term (case-insensitive).
    pub full_text: Option<FullTextQuery>,
    /// Sort by this field's (lowercased) value; entities without one come
    /// last; ties, and everything when `None`, by entity ref.
    pub order: Option<EntityOrder>,
    /// Where the page starts.
    pub position: PagePosition,
    /// The page size (at most [`MAX_LIMIT`]); `None` fetches every match.
    pub limit: Option<u64>,
    /// Whether to count every match (`totalItems`); skip it when not
    /// needed, it is the most expensive part on a large catalog.
    pub count_total: bool,
}

impl EntityQuery {
    /// Every entity matching `filter`, in ref order, with the total count.
    pub fn filtered(filter: EntityPredicate) -> Self {
        Self {
            filter: Some(filter),
            count_total: true,
            ..Self::default()
        }
    }
}

/// A case-insensitive substring filter over some fields' values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FullTextQuery {
    /// The text to look for; an empty term filters nothing.
    pub term: String,
    /// The dot paths whose values are searched.
    pub fields: Vec<String>,
}

/// Where a page starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PagePosition {
    /// Skip this many matches.
    Offset(u64),
    /// The matches after this position (for `nextCursor`).
    After(SortPosition),
    /// The matches just before this position (for `prevCursor`), still
    /// returned in the query's order.
    Before(SortPosition),
}

impl Default for PagePosition {
    fn default() -> Self {
        PagePosition::Offset(0)
    }
}

/// A position in a query's order: the sort value and ref of an entity.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SortPosition {
    /// The entity's (lowercased) value of the order field, `None` when it
    /// has none or the query has no order field.
    pub sort_value: Option<String>,
    /// The entity's lowercased ref.
    pub entity_ref: String,
}

/// One entity of a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageEntity {
    /// The lowercased ref.
    pub entity_ref: String,
    /// The value it was sorted by.
    pub sort_value: Option<String>,
    /// The entity's JSON text, as stored.
    pub json: String,
}

impl PageEntity {
    /// This entity's position, for a cursor.
    pub fn position(&self) -> SortPosition {
        SortPosition {
            sort_value: self.sort_value.clone(),
            entity_ref: self.entity_ref.clone(),
        }
    }
}

/// A page of entities.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntityPage {
    /// The entities, in the query's order.
    pub items: Vec<PageEntity>,
    /// Every match counted, when asked for.
    pub total_items: Option<u64>,
    /// Whether there are matches after the last item (`nextCursor` from
    /// the last item's position).
    pub has_next: bool,
    /// Whether there are matches before the first item (`prevCursor` from
    /// the first item's position).
    pub has_prev: bool,
}

/// One value of a facet and how many entities have it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FacetCount {
    /// The value as the entities wrote it.
    pub value: String,
    /// How many matching entities have it.
    pub count: u64,
}

const TRUE: &str = "1 = 1";
const FALSE: &str = "1 = 0";

/// A translation context: the dictionary ids a query needs.
struct Translator {
    dict: Dictionary,
}

impl CatalogStore {
    /// A page of entities (see [`EntityQuery`]).
    pub async fn query_entities(&self, query: &EntityQuery) -> Result<EntityPage, StoreError> {
        self.run_query(query, None).await
    }

    /// The database's plan for [`query_entities`](Self::query_entities)
    /// (SQLite `EXPLAIN QUERY PLAN`, PostgreSQL and MySQL `EXPLAIN`), one
    /// line per row: to check that a filter uses the indexes.
    pub async fn explain_query(&self, query: &EntityQuery) -> Result<Vec<String>, StoreError> {
        let mut plan = Vec::new();
        self.run_query(query, Some(&mut plan)).await?;
        Ok(plan)
    }

    /// The database's plan for the [`facets`](Self::facets) query of one
    /// facet.
    pub async fn explain_facet(
        &self,
        facet: &str,
        filter: Option<&EntityPredicate>,
    ) -> Result<Vec<String>, StoreError> {
        let mut plan = Vec::new();
        self.run_facets(&[facet.to_owned()], filter, Some(&mut plan))
            .await?;
        Ok(plan)
    }

    async fn run_query(
        &self,
        query: &EntityQuery,
        explain: Option<&mut Vec<String>>,
    ) -> Result<EntityPage, StoreError> {
        if let Some(limit) = query.limit
            && !(1..=MAX_LIMIT).contains(&limit)
        {
            return Err(StoreError::Input(format!(
                "limit must be between 1 and {MAX_LIMIT}, got {limit}"
            )));
        }
        let dialect = self.dialect();
        let mut conn = self
            .pool()
            .await?
            .acquire()
            .await
            .map_err(StoreError::query("getting a connection"))?;
        let full_text = query
            .full_text
            .as_ref()
            .filter(|f| !f.term.is_empty() && !f.fields.is_empty());
        let mut keys: Vec<String> = Vec::new();
        if let Some(order) = &query.order {
            keys.push(order.field.to_lowercase());
        }
        if let Some(full_text) = full_text {
            keys.extend(full_text.fields.iter().map(|f| f.to_lowercase()));
        }
        let tr =
            Translator::load(&mut conn, dialect, &self.ids, query.filter.as_ref(), &keys).await?;
        let entity_id = Expr::col(("e", "id"));
        let mut condition = match &query.filter {
            Some(filter) => tr.condition(filter, &entity_id),
            None => Expr::cust(TRUE),
        };
        if let Some(full_text) = full_text {
            condition = condition.and(tr.full_text(full_text, &entity_id));
        }

        let total_items = if query.count_total && explain.is_none() {
            let count = Query::select()
                .expr(Expr::col(("e", "id")).count())
                .from_as(ENTITIES, "e")
                .and_where(condition.clone())
                .to_owned();
            let (sql, values) = dialect.build(&count);
            let n: i64 = sqlx::query_scalar_with(AssertSqlSafe(sql), values)
                .fetch_one(&mut *conn)
                .await
                .map_err(StoreError::query("counting matching entities"))?;
            Some(u64::try_from(n).unwrap_or(0))
        } else {
            None
        };

        let ascending = query
            .order
            .as_ref()
            .is_none_or(|o| o.order == SortOrder::Asc);
        let backwards = matches!(query.position, PagePosition::Before(_));
        let mut select = Query::select();
        select
            .column(("e", "entity_ref"))
            .column(("e", "entity"))
            .from_as(ENTITIES, "e");
        let sort_value = query.order.as_ref().map(|order| {
            let key_id = tr.key_id(&order.field.to_lowercase()).unwrap_or(-1);
            let sorted = Query::select()
                .expr_as(Expr::col(("p", "entity_id")), "entity_id")
                .expr_as(Expr::col(("v", "lower_value")).min(), "sort_value")
                .from_as(POSTINGS, "p")
                .join_as(
                    JoinType::InnerJoin,
                    VALUES,
                    "v",
                    Expr::col(("v", "id")).equals(("p", "value_id")),
                )
                .and_where(Expr::col(("p", "key_id")).eq(key_id))
                .group_by_col(("p", "entity_id"))
                .to_owned();
            select.join_subquery(
                JoinType::LeftJoin,
                sorted,
                "s",
                Expr::col(("s", "entity_id")).equals(("e", "id")),
            );
            select.column(("s", "sort_value"));
            Expr::col(("s", "sort_value"))
        });
        select.and_where(condition);
        match &query.position {
            PagePosition::Offset(offset) => {
                if *offset > 0 {
                    select.offset(*offset);
                }
            }
            PagePosition::After(position) => {
                select.and_where(keyset(sort_value.as_ref(), position, ascending));
            }
            PagePosition::Before(position) => {
                select.and_where(keyset_backwards(sort_value.as_ref(), position, ascending));
            }
        }
        // Reading backwards: the reversed order, reversed again below.
        let forward = ascending != backwards;
        let direction = if forward { Order::Asc } else { Order::Desc };
        if let Some(sort_value) = &sort_value {
            let missing_last = if backwards { Order::Desc } else { Order::Asc };
            select.order_by_expr(
                Expr::case(sort_value.clone().is_null(), 1)
                    .finally(0)
                    .into(),
                missing_last,
            );
            select.order_by_expr(sort_value.clone(), direction.clone());
        }
        select.order_by_expr(Expr::col(("e", "entity_ref")), direction);
        if let Some(limit) = query.limit {
            select.limit(limit + 1);
        } else if matches!(query.position, PagePosition::Offset(o) if o > 0) {
            // Some databases want a LIMIT with an OFFSET.
            select.limit(i64::MAX as u64);
        }
        let (sql, values) = dialect.build(&select);
        if let Some(plan) = explain {
            *plan = explain_sql(&mut conn, dialect, sql, values).await?;
            return Ok(EntityPage::default());
        }
        let rows = sqlx::query_with(AssertSqlSafe(sql), values)
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::query("querying entities"))?;
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            items.push(PageEntity {
                entity_ref: text(row, 0)?,
                json: text(row, 1)?,
                sort_value: if sort_value.is_some() {
                    opt_text(row, 2)?
                } else {
                    None
                },
            });
        }
        let more = query.limit.is_some_and(|limit| items.len() as u64 > limit);
        if let Some(limit) = query.limit {
            items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        }
        if backwards {
            items.reverse();
        }
        let (has_next, has_prev) = match &query.position {
            PagePosition::Offset(offset) => (more, *offset > 0),
            PagePosition::After(_) => (more, true),
            PagePosition::Before(_) => (true, more),
        };
        Ok(EntityPage {
            items,
            total_items,
            has_next,
            has_prev,
        })
    }

    /// How many entities match `filter` (all when `None`).
    pub async fn count_entities(
        &self,
        filter: Option<&EntityPredicate>,
    ) -> Result<u64, StoreError> {
        let query = EntityQuery {
            filter: filter.cloned(),
            count_total: true,
            limit: Some(1),
            ..EntityQuery::default()
        };
        Ok(self.query_entities(&query).await?.total_items.unwrap_or(0))
    }

    /// For each facet (a dot path), the values the matching entities have
    /// and how many have each, with the values' original case; most common
    /// first, then by value. Counted by the database (`GROUP BY`).
    pub async fn facets(
        &self,
        facets: &[String],
        filter: Option<&EntityPredicate>,
    ) -> Result<Vec<(String, Vec<FacetCount>)>, StoreError> {
        self.run_facets(facets, filter, None).await
    }

    async fn run_facets(
        &self,
        facets: &[String],
        filter: Option<&EntityPredicate>,
        mut explain: Option<&mut Vec<String>>,
    ) -> Result<Vec<(String, Vec<FacetCount>)>, StoreError> {
        let dialect = self.dialect();
        let mut conn = self
            .pool()
            .await?
            .acquire()
            .await
            .map_err(StoreError::query("getting a connection"))?;
        let keys: Vec<String> = facets.iter().map(|f| f.to_lowercase()).collect();
        let tr = Translator::load(&mut conn, dialect, &self.ids, filter, &keys).await?;
        let entity_id = Expr::col(("p", "entity_id"));
        let condition = filter.map(|f| tr.condition(f, &entity_id));
        let mut out = Vec::with_capacity(facets.len());
        for (facet, key) in facets.iter().zip(&keys) {
            let Some(key_id) = tr.key_id(key) else {
                out.push((facet.clone(), Vec::new()));
                continue;
            };
            let counts = Query::select()
                .expr_as(Expr::col(("p", "value_id")), "value_id")
                .expr_as(Expr::col(("p", "entity_id")).count(), "n")
                .from_as(POSTINGS, "p")
                .and_where(Expr::col(("p", "key_id")).eq(key_id))
                .and_where(Expr::col(("p", "value_id")).ne(0))
                .and_where_option(condition.clone())
                .group_by_col(("p", "value_id"))
                .to_owned();
            let select = Query::select()
                .column(("v", "lower_value"))
                .column(("v", "original_value"))
                .column(("c", "n"))
                .from_subquery(counts, "c")
                .join_as(
                    JoinType::InnerJoin,
                    VALUES,
                    "v",
                    Expr::col(("v", "id")).equals(("c", "value_id")),
                )
                .to_owned();
            let (sql, values) = dialect.build(&select);
            if let Some(plan) = explain.as_deref_mut() {
                plan.extend(explain_sql(&mut conn, dialect, sql, values).await?);
                continue;
            }
            let rows = sqlx::query_with(AssertSqlSafe(sql), values)
                .fetch_all(&mut *conn)
                .await
                .map_err(StoreError::query("counting facet values"))?;
            let mut counts = Vec::with_capacity(rows.len());
            for row in &rows {
                let lower = text(row, 0)?;
                let original = text(row, 1)?;
                let n: i64 = row
                    .try_get(2)
                    .map_err(StoreError::query("reading a facet count"))?;
                counts.push(FacetCount {
                    value: if original.is_empty() { lower } else { original },
                    count: u64::try_from(n).unwrap_or(0),
                });
            }
            counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            out.push((facet.clone(), counts));
        }
        Ok(out)
    }
}

/// Runs the dialect's EXPLAIN on `sql`; each row as one line.
async fn explain_sql(
    conn: &mut AnyConnection,
    dialect: Dialect,
    sql: String,
    values: sea_query_sqlx::SqlxValues,
) -> Result<Vec<String>, StoreError> {
    let explain = match dialect {
        Dialect::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
        Dialect::Postgres | Dialect::MySql => format!("EXPLAIN {sql}"),
    };
    let rows = sqlx::query_with(AssertSqlSafe(explain), values)
        .fetch_all(&mut *conn)
        .await
        .map_err(StoreError::query("explaining a query"))?;
    Ok(rows
        .iter()
        .map(|row| {
            let columns: Vec<String> = (0..row.len())
                .filter(|i| dialect != Dialect::Sqlite || *i == 3)
                .map(|i| {
                    opt_text(row, i)
                        .ok()
                        .flatten()
                        .or_else(|| {
                            row.try_get::<Option<i64>, _>(i)
                                .ok()
                                .flatten()
                                .map(|n| n.to_string())
                        })
                        .or_else(|| {
                            row.try_get::<Option<f64>, _>(i)
                                .ok()
                                .flatten()
                                .map(|n| n.to_string())
                        })
                        .unwrap_or_else(|| "NULL".to_owned())
                })
                .collect();
            columns.join(" | ")
        })
        .collect())
}

/// The condition for rows after `position` in an order that is ascending
/// when `ascending` (missing sort values last, then refs in the same
/// direction).
fn keyset(sort_value: Option<&Expr>, position: &SortPosition, ascending: bool) -> Expr {
    let reference = position.entity_ref.clone();
    let ref_col = Expr::col(("e", "entity_ref"));
    let ref_after = if ascending {
        ref_col.gt(reference)
    } else {
        ref_col.lt(reference)
    };
    let Some(sv) = sort_value else {
        return ref_after;
    };
    match (&position.sort_value, ascending) {
        // Forwards from a row with a value: greater values, then the
        // rows without one.
        (Some(value), true) => sv
            .clone()
            .is_not_null()
            .and(
                sv.clone()
                    .gt(value.clone())
                    .or(sv.clone().eq(value.clone()).and(ref_after)),
            )
            .or(sv.clone().is_null()),
        (Some(value), false) => sv
            .clone()
            .is_not_null()
            .and(
                sv.clone()
                    .lt(value.clone())
                    .or(sv.clone().eq(value.clone()).and(ref_after)),
            )
            .or(sv.clone().is_null()),
        // From a row without a value: only rows without one follow.
        (None, _) => sv.clone().is_null().and(ref_after),
    }
}

/// The keyset condition for reading backwards from `position` is the
/// forwards condition of the reversed order, except that rows without a
/// sort value then come first.
fn keyset_backwards(sort_value: Option<&Expr>, position: &SortPosition, ascending: bool) -> Expr {
    let reference = position.entity_ref.clone();
    let ref_col = Expr::col(("e", "entity_ref"));
    let ref_before = if ascending {
        ref_col.lt(reference)
    } else {
        ref_col.gt(reference)
    };
    let Some(sv) = sort_value else {
        return ref_before;
    };
    match (&position.sort_value, ascending) {
        (Some(value), true) => sv.clone().is_not_null().and(
            sv.clone()
                .lt(value.clone())
                .or(sv.clone().eq(value.clone()).and(ref_before)),
        ),
        (Some(value), false) => sv.clone().is_not_null().and(
            sv.clone()
                .gt(value.clone())
                .or(sv.clone().eq(value.clone()).and(ref_before)),
        ),
        (None, _) => sv
            .clone()
            .is_not_null()
            .or(sv.clone().is_null().and(ref_before)),
    }
}

impl Translator {
    /// Resolves the ids of every key and compared value of `filter`, and
    /// of `extra_keys`.
    async fn load(
        conn: &mut AnyConnection,
        dialect: Dialect,
        known: &KnownIds,
        filter: Option<&EntityPredicate>,
        extra_keys: &[String],
    ) -> Result<Self, StoreError> {
        let mut keys: Vec<String> = extra_keys.to_vec();
        let mut values: Vec<String> = Vec::new();
        if let Some(filter) = filter {
            collect(filter, &mut keys, &mut values);
        }
        keys.retain(|k| k.chars().count() <= MAX_SEARCH_KEY_LENGTH);
        let mut dict = Dictionary::default();
        dict.resolve_keys(conn, dialect, keys.iter().map(String::as_str), false, known)
            .await?;
        dict.resolve_values_by_lower(conn, dialect, values.iter().map(String::as_str))
            .await?;
        // A query only reads: what it found is committed.
        known.remember(&mut dict);
        Ok(Self { dict })
    }

    fn key_id(&self, key: &str) -> Option<i64> {
        self.dict.key_id(key)
    }

    /// The SQL condition for `predicate` on the entity id `entity_id`.
    fn condition(&self, predicate: &EntityPredicate, entity_id: &Expr) -> Expr {
        let fold = |items: &[EntityPredicate], and: bool| {
            items
                .iter()
                .map(|p| self.condition(p, entity_id))
                .reduce(|a, b| if and { a.and(b) } else { a.or(b) })
                .unwrap_or_else(|| Expr::cust(FALSE))
        };
        match predicate {
            EntityPredicate::All(items) => fold(items, true),
            EntityPredicate::Any(items) => fold(items, false),
            EntityPredicate::Not(inner) => self.condition(inner, entity_id).not(),
            EntityPredicate::Fields(fields) => fields
                .iter()
                .map(|f| self.field(&f.path.to_lowercase(), &f.condition, entity_id))
                .reduce(ExprTrait::and)
                .unwrap_or_else(|| Expr::cust(TRUE)),
        }
    }

    fn field(&self, key: &str, condition: &FieldCondition, entity_id: &Expr) -> Expr {
        let key_id = self.key_id(key);
        match condition {
            FieldCondition::Exists(true) => match key_id {
                Some(k) => entity_id.clone().in_subquery(postings(k, None)),
                None => Expr::cust(FALSE),
            },
            FieldCondition::Exists(false) => match key_id {
                Some(k) => entity_id.clone().not_in_subquery(postings(k, None)),
                None => Expr::cust(TRUE),
            },
            FieldCondition::Equals(value) => {
                self.values(key_id, std::slice::from_ref(value), entity_id)
            }
            FieldCondition::In(list) => self.values(key_id, list, entity_id),
            FieldCondition::HasPrefix(prefix) => prefix_condition(key_id, prefix, entity_id),
            FieldCondition::Contains(element) => match element {
                ElementCondition::Equals(value) => {
                    self.values(key_id, std::slice::from_ref(value), entity_id)
                }
                ElementCondition::In(list) => self.values(key_id, list, entity_id),
                ElementCondition::HasPrefix(prefix) => prefix_condition(key_id, prefix, entity_id),
            },
        }
    }

    /// Some value at the key equals one of `wanted`.
    fn values(&self, key_id: Option<i64>, wanted: &[Primitive], entity_id: &Expr) -> Expr {
        let Some(key_id) = key_id else {
            return Expr::cust(FALSE);
        };
        let mut ids: Vec<i64> = wanted
            .iter()
            .flat_map(|p| self.dict.ids_of_lower(&p.match_text()))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Expr::cust(FALSE);
        }
        let values = if let [id] = ids.as_slice() {
            Expr::col("value_id").eq(*id)
        } else {
            Expr::col("value_id").is_in(ids)
        };
        entity_id
            .clone()
            .in_subquery(postings(key_id, Some(values)))
    }

    /// Some value of one of the full-text fields contains the term.
    fn full_text(&self, full_text: &FullTextQuery, entity_id: &Expr) -> Expr {
        let mut key_ids: Vec<i64> = full_text
            .fields
            .iter()
            .filter_map(|f| self.key_id(&f.to_lowercase()))
            .collect();
        key_ids.sort_unstable();
        key_ids.dedup();
        if key_ids.is_empty() {
            return Expr::cust(FALSE);
        }
        let term = full_text.term.to_lowercase();
        let mut pattern = String::with_capacity(term.len() + 2);
        pattern.push('%');
        for c in term.chars() {
            if matches!(c, '%' | '_' | '!') {
                pattern.push('!');
            }
            pattern.push(c);
        }
        pattern.push('%');
        let matching = Query::select()
            .column(("t", "entity_id"))
            .from_as(POSTINGS, "t")
            .join_as(
                JoinType::InnerJoin,
                VALUES,
                "tv",
                Expr::col(("tv", "id")).equals(("t", "value_id")),
            )
            .and_where(Expr::col(("t", "key_id")).is_in(key_ids))
            .and_where(Expr::col(("tv", "lower_value")).like(LikeExpr::new(pattern).escape('!')))
            .to_owned();
        entity_id.clone().in_subquery(matching)
    }
}

/// `SELECT entity_id FROM catalog_search WHERE key_id = k [AND values]`.
fn postings(key_id: i64, values: Option<Expr>) -> SelectStatement {
    Query::select()
        .column("entity_id")
        .from(POSTINGS)
        .and_where(Expr::col("key_id").eq(key_id))
        .and_where_option(values)
        .to_owned()
}

/// Some value at the key starts with `prefix`: the dictionary's values in
/// the byte range `[prefix, prefix + U+10FFFF…]`, which holds exactly the
/// texts of at most 200 characters that start with `prefix` (every
/// dictionary column compares bytes: SQLite BINARY, PostgreSQL "C", MySQL
/// VARBINARY).
fn prefix_condition(key_id: Option<i64>, prefix: &str, entity_id: &Expr) -> Expr {
    let Some(key_id) = key_id else {
        return Expr::cust(FALSE);
    };
    let prefix = prefix.to_lowercase();
    let fill = (backstage_plugin_catalog_common::search::MAX_SEARCH_VALUE_LENGTH + 1)
        .saturating_sub(prefix.chars().count())
        .max(1);
    let mut upper = prefix.clone();
    upper.extend(std::iter::repeat_n('\u{10FFFF}', fill));
    let matching = Query::select()
        .column("id")
        .from(VALUES)
        .and_where(Expr::col("lower_value").gte(prefix))
        .and_where(Expr::col("lower_value").lte(upper))
        .to_owned();
    entity_id.clone().in_subquery(postings(
        key_id,
        Some(Expr::col("value_id").in_subquery(matching)),
    ))
}

/// The keys and compared value texts of a predicate.
fn collect(predicate: &EntityPredicate, keys: &mut Vec<String>, values: &mut Vec<String>) {
    match predicate {
        EntityPredicate::All(items) | EntityPredicate::Any(items) => {
            for item in items {
                collect(item, keys, values);
            }
        }
        EntityPredicate::Not(inner) => collect(inner, keys, values),
        EntityPredicate::Fields(fields) => {
            for field in fields {
                keys.push(field.path.to_lowercase());
                match &field.condition {
                    FieldCondition::Equals(p)
                    | FieldCondition::Contains(ElementCondition::Equals(p)) => {
                        values.push(p.match_text());
                    }
                    FieldCondition::In(list)
                    | FieldCondition::Contains(ElementCondition::In(list)) => {
                        values.extend(list.iter().map(Primitive::match_text));
                    }
                    _ => {}
                }
            }
        }
    }
}
