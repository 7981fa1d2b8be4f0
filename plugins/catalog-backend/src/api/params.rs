//! Query strings with repeated keys (`filter=a&filter=b`).

/// The decoded pairs of a query string, in order.
#[derive(Debug, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// Parses a raw query string (`None`: no query string).
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        Self(
            raw.map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default(),
        )
    }

    /// Every value of `key`.
    pub(crate) fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The last value of `key`.
    pub(crate) fn one(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `key` as a whole number of 0 or more; a 400 `InputError` naming the
    /// parameter when it is something else.
    pub(crate) fn number(
        &self,
        key: &str,
    ) -> Result<Option<u64>, backstage_backend::http::ApiError> {
        self.one(key)
            .map(|v| {
                v.parse::<u64>().map_err(|_| {
                    backstage_backend::http::ApiError::input(format!(
                        "invalid {key} {v:?}: expected a whole number of 0 or more"
                    ))
                })
            })
            .transpose()
    }

    /// The pairs except those of `keys`, re-encoded (for `Link` headers).
    pub(crate) fn encode_without(&self, keys: &[&str]) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.0 {
            if !keys.contains(&k.as_str()) {
                out.append_pair(k, v);
            }
        }
        out.finish()
    }
}
