//! The rubric's TOML as a tree of values that remember where they came from.
//!
//! TOML is parsed into this tree (keeping the file and byte span of every key and value), `extends`
//! bases are merged into it, `--set` overrides are applied to it, and only then is it read into a
//! validated `Rubric`. Because every value keeps its origin, a problem in an inherited criterion
//! or in a command-line override points at the right file and line.

use std::sync::Arc;

use crate::error::{Location, Problem, Problems, SourceText, did_you_mean};
use crate::limits::Limits;

/// Where a key or value was written.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The file (or `--set`) it came from.
    pub source: Arc<SourceText>,
    /// Byte span in that source.
    pub span: (usize, usize),
}

impl Origin {
    /// The location for a problem at this origin.
    pub(crate) fn location(&self) -> Location {
        Location::span(&self.source, self.span.0, self.span.1)
    }
}

/// A TOML value with its origin.
#[derive(Debug, Clone)]
pub struct Tv {
    /// The value.
    pub kind: Kind,
    /// Where it was written.
    pub at: Origin,
}

/// The kinds of TOML values.
#[derive(Debug, Clone)]
pub enum Kind {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A float (TOML allows `inf` and `nan`; readers reject them where numbers must be finite).
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A date or date-time, as written.
    Datetime(String),
    /// An array.
    Array(Vec<Tv>),
    /// A table.
    Table(Table),
}

/// A table entry: key, key origin, value.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// Where the key was written.
    pub key_at: Origin,
    /// The value.
    pub value: Tv,
}

/// An ordered TOML table.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Entries in the order written.
    pub entries: Vec<Entry>,
}

impl Table {
    /// The value at `key`.
    pub fn get(&self, key: &str) -> Option<&Tv> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.value)
    }

    /// The entry at `key`, mutably.
    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut Tv> {
        self.entries
            .iter_mut()
            .find(|e| e.key == key)
            .map(|e| &mut e.value)
    }

    /// Sets `key`, replacing an existing value in place or appending.
    pub(crate) fn insert(&mut self, key: String, key_at: Origin, value: Tv) {
        if let Some(e) = self.entries.iter_mut().find(|e| e.key == key) {
            e.value = value;
        } else {
            self.entries.push(Entry { key, key_at, value });
        }
    }

    /// Removes `key`.
    pub(crate) fn remove(&mut self, key: &str) -> Option<Tv> {
        let pos = self.entries.iter().position(|e| e.key == key)?;
        Some(self.entries.remove(pos).value)
    }
}

impl Tv {
    /// A short English name of the value's type, for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Str(_) => "a string",
            Kind::Int(_) => "an integer",
            Kind::Float(_) => "a number",
            Kind::Bool(_) => "a boolean",
            Kind::Datetime(_) => "a date",
            Kind::Array(_) => "an array",
            Kind::Table(_) => "a table",
        }
    }

    /// The table inside, if it is one.
    pub(crate) fn as_table(&self) -> Option<&Table> {
        match &self.kind {
            Kind::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The string inside, if it is one.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The number inside (integer or float), if it is one.
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self.kind {
            Kind::Int(i) => Some(i as f64),
            Kind::Float(f) => Some(f),
            _ => None,
        }
    }

    /// The value as plain JSON, for the manifest.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        match &self.kind {
            Kind::Str(s) => serde_json::Value::String(s.clone()),
            Kind::Int(i) => serde_json::Value::from(*i),
            Kind::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or_else(|| serde_json::Value::String(f.to_string())),
            Kind::Bool(b) => serde_json::Value::Bool(*b),
            Kind::Datetime(d) => serde_json::Value::String(d.clone()),
            Kind::Array(a) => serde_json::Value::Array(a.iter().map(Tv::to_json).collect()),
            Kind::Table(t) => {
                let mut m = serde_json::Map::new();
                for e in &t.entries {
                    m.insert(e.key.clone(), e.value.to_json());
                }
                serde_json::Value::Object(m)
            }
        }
    }
}

/// Parses TOML text into a tree, reporting every syntax error found.
pub fn parse(source: &Arc<SourceText>, limits: &Limits) -> Result<Table, Vec<Problem>> {
    if let Some(problem) = nesting_too_deep(source, limits.toml_depth) {
        return Err(vec![problem]);
    }
    let (doc, errors) = toml::de::DeTable::parse_recoverable(&source.text);
    if !errors.is_empty() {
        // A file that is not TOML at all has an error on every line; the first few say enough,
        // and locating each costs a scan of the text.
        const SHOWN: usize = 20;
        let more = errors.len().saturating_sub(SHOWN);
        let mut problems: Vec<Problem> = errors
            .iter()
            .take(SHOWN)
            .map(|e| {
                let span = e.span().unwrap_or(0..0);
                let mut message = e.message().trim_end().trim_end_matches('.').to_string();
                // Name the key the parser points at.
                if message.contains("duplicate key")
                    && let Some(key) = source
                        .text
                        .get(span.clone())
                        .filter(|k| !k.is_empty() && k.len() < 100 && !k.contains('\n'))
                {
                    message = format!("{message} `{}`", key.trim());
                }
                Problem::new(format!("invalid TOML: {message}"))
                    .at(Location::span(source, span.start, span.end))
            })
            .collect();
        if more > 0 {
            problems.push(
                Problem::new(format!("and {more} more TOML syntax errors"))
                    .at(Location::file(&source.name))
                    .help("is this file a rubric?"),
            );
        }
        return Err(problems);
    }
    let span = doc.span();
    let tv = convert_table(doc.into_inner(), source, (span.start, span.end));
    Ok(tv)
}

/// Rejects pathological nesting before the recursive parser sees it.
fn nesting_too_deep(source: &Arc<SourceText>, limit: usize) -> Option<Problem> {
    let too_deep = |at: usize| {
        Problem::new(format!(
            "keys, arrays and tables are nested more than {limit} deep"
        ))
        .at(Location::span(source, at, at + 1))
        .help("a rubric never needs this; is this file a rubric?")
    };
    let mut depth = 0usize;
    // Dotted keys (`a.b.c = 1`, `[a.b.c]`) nest too: count the dots before a line's `=`.
    let mut dots = 0usize;
    let mut seen_eq = false;
    let mut in_str: Option<u8> = None;
    let bytes = source.text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match in_str {
            Some(q) => {
                if b == b'\\' && q == b'"' {
                    i += 1;
                } else if b == q {
                    in_str = None;
                }
            }
            None => match b {
                b'"' | b'\'' => in_str = Some(b),
                b'#' => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                b'[' | b'{' => {
                    depth += 1;
                    if depth > limit {
                        return Some(too_deep(i));
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                b'=' => seen_eq = true,
                b'.' if !seen_eq => {
                    dots += 1;
                    if dots + depth >= limit {
                        return Some(too_deep(i));
                    }
                }
                b'\n' => {
                    dots = 0;
                    seen_eq = false;
                }
                _ => {}
            },
        }
        i += 1;
    }
    None
}

fn origin(source: &Arc<SourceText>, span: std::ops::Range<usize>) -> Origin {
    Origin {
        source: source.clone(),
        span: (span.start, span.end),
    }
}

fn convert_table(
    table: toml::de::DeTable<'_>,
    source: &Arc<SourceText>,
    span: (usize, usize),
) -> Table {
    let _ = span;
    let mut out = Table::default();
    for (k, v) in table {
        let key_at = origin(source, k.span());
        let key = k.into_inner().into_owned();
        let value = convert_value(v, source);
        out.entries.push(Entry { key, key_at, value });
    }
    out
}

fn convert_value(v: toml::Spanned<toml::de::DeValue<'_>>, source: &Arc<SourceText>) -> Tv {
    use toml::de::DeValue;
    let span = v.span();
    let at = origin(source, span.clone());
    let kind = match v.into_inner() {
        DeValue::String(s) => Kind::Str(s.into_owned()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Kind::Int(n),
            Err(_) => Kind::Float(f64::INFINITY),
        },
        DeValue::Float(f) => Kind::Float(f.as_str().parse().unwrap_or(f64::NAN)),
        DeValue::Boolean(b) => Kind::Bool(b),
        DeValue::Datetime(d) => Kind::Datetime(d.to_string()),
        DeValue::Array(a) => Kind::Array(a.into_iter().map(|e| convert_value(e, source)).collect()),
        DeValue::Table(t) => Kind::Table(convert_table(t, source, (span.start, span.end))),
    };
    Tv { kind, at }
}

/// True when every element is a table with a string `id`: such arrays merge by id.
fn keyed_by_id(items: &[Tv]) -> bool {
    !items.is_empty()
        && items.iter().all(|t| {
            t.as_table()
                .and_then(|t| t.get("id"))
                .and_then(Tv::as_str)
                .is_some()
        })
}

fn id_of(t: &Tv) -> Option<&str> {
    t.as_table().and_then(|t| t.get("id")).and_then(Tv::as_str)
}

/// Merges `over` into `base` (the `extends` rule): tables merge key by key, arrays of tables with
/// `id`s merge element by element (an element with `remove = true` deletes the inherited one),
/// every other value is replaced.
pub(crate) fn merge(base: &mut Table, over: Table) {
    for entry in over.entries {
        match base.get_mut(&entry.key) {
            None => base.entries.push(entry),
            Some(existing) => merge_value(existing, entry.value),
        }
    }
}

fn merge_value(base: &mut Tv, over: Tv) {
    match (&mut base.kind, over.kind) {
        (Kind::Table(b), Kind::Table(o)) => merge(b, o),
        (Kind::Array(b), Kind::Array(o)) if keyed_by_id(b) && keyed_by_id(&o) => {
            for item in o {
                let id = id_of(&item).unwrap_or_default().to_string();
                let remove = item
                    .as_table()
                    .and_then(|t| t.get("remove"))
                    .is_some_and(|v| matches!(v.kind, Kind::Bool(true)));
                match b.iter().position(|e| id_of(e) == Some(id.as_str())) {
                    Some(pos) if remove => {
                        b.remove(pos);
                    }
                    Some(pos) => merge_value(&mut b[pos], item),
                    None => b.push(item),
                }
            }
        }
        (_, kind) => {
            base.kind = kind;
            base.at = over.at;
        }
    }
}

/// Longest key of a `--set` (or of a sensitivity factor's `set`), in characters: a real one,
/// such as `node.<id>.aggregate.min_coverage` with an id of 64 characters, has about 100.
pub(crate) const MAX_KEY_CHARS: usize = 1024;

/// Refuses a settings key (of `--set`, or a sensitivity factor's `set`) longer than
/// [`MAX_KEY_CHARS`] or with more dotted parts than TOML may nest tables (64): each part is a
/// table level, and 30,000 parts nested tables 30,000 deep, past what the stack holds.
pub(crate) fn check_key(key: &str, limits: &Limits) -> Result<(), KeyTooLong> {
    let depth = limits.toml_depth;
    let (chars, parts) = (key.chars().count(), key.split('.').count());
    if chars > MAX_KEY_CHARS || parts > depth {
        return Err(KeyTooLong {
            key: clip(key),
            chars,
            parts,
            depth,
        });
    }
    Ok(())
}

/// A settings key longer than [`MAX_KEY_CHARS`] or with more dotted parts than TOML may nest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the key `{key}` has {chars} characters in {parts} dotted parts; a settings key has at most {MAX_KEY_CHARS} characters and {depth} parts"
)]
pub(crate) struct KeyTooLong {
    /// The key, its first 60 characters when longer.
    pub key: String,
    /// Its characters.
    pub chars: usize,
    /// Its dotted parts.
    pub parts: usize,
    /// The most parts a key may have.
    pub depth: usize,
}

/// The message, for callers that collect reasons as text.
impl From<KeyTooLong> for String {
    fn from(e: KeyTooLong) -> Self {
        e.to_string()
    }
}

/// The first 60 characters of a long text quoted in a message, with an ellipsis.
fn clip(s: &str) -> String {
    if s.chars().count() <= 60 {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(57).collect::<String>())
    }
}

/// Applies one `--set KEY=VALUE` override. Arrays of tables are addressed by element id
/// (`criterion.budapest_party.weight`); missing tables along the path are created.
pub(crate) fn set(
    root: &mut Table,
    assignment: &str,
    index: usize,
    limits: &Limits,
) -> Result<String, Problem> {
    let source = SourceText::new(format!("--set #{}", index + 1), assignment.to_string());
    let Some(eq) = assignment.find('=') else {
        return Err(Problem::new(format!("`--set {assignment}` has no `=`"))
            .at(Location::span(&source, 0, assignment.len()))
            .help("write it as KEY=VALUE, for example --set pipeline.normalise.method=n_zscore"));
    };
    let key = assignment[..eq].trim();
    let raw = assignment[eq + 1..].trim();
    let value_start =
        eq + 1 + (assignment[eq + 1..].len() - assignment[eq + 1..].trim_start().len());
    let value_origin = origin(&source, value_start..value_start + raw.len());
    let key_origin = origin(&source, 0..eq);
    if let Err(e) = check_key(key, limits) {
        return Err(Problem::new(e.to_string())
            .at(Location::span(&source, 0, eq))
            .help("for example pipeline.normalise.method or criterion.budapest_party.weight"));
    }
    if key.is_empty() || key.split('.').any(str::is_empty) {
        return Err(Problem::new(format!("`{key}` is not a dotted key path"))
            .at(Location::span(&source, 0, eq))
            .help("for example pipeline.normalise.method or criterion.budapest_party.weight"));
    }
    let value = parse_value(raw, value_origin)?;
    let parts: Vec<&str> = key.split('.').collect();
    let mut table = root;
    let mut walked: Vec<&str> = Vec::new();
    let mut i = 0;
    while i + 1 < parts.len() {
        let part = parts[i];
        walked.push(part);
        if table.get(part).is_none() {
            table.insert(
                part.to_string(),
                key_origin.clone(),
                Tv {
                    kind: Kind::Table(Table::default()),
                    at: key_origin.clone(),
                },
            );
        }
        #[expect(
            clippy::expect_used,
            reason = "the key was inserted into the table just above"
        )]
        let next = table.get_mut(part).expect("inserted above");
        let next_type = next.type_name();
        match &mut next.kind {
            Kind::Table(t) => {
                table = t;
                i += 1;
            }
            Kind::Array(items) if keyed_by_id(items) => {
                let id = parts[i + 1];
                let ids: Vec<String> = items.iter().filter_map(id_of).map(String::from).collect();
                let Some(pos) = items.iter().position(|e| id_of(e) == Some(id)) else {
                    let mut p = Problem::new(format!("there is no `{part}` with id `{id}`"))
                        .at(Location::span(&source, 0, eq));
                    if let Some(h) = did_you_mean(id, ids.iter().map(String::as_str)) {
                        p = p.help(h);
                    }
                    return Err(p);
                };
                if i + 2 >= parts.len() {
                    return Err(Problem::new(format!(
                        "`{key}` names a whole `{part}`; set one of its keys instead"
                    ))
                    .at(Location::span(&source, 0, eq)));
                }
                let Kind::Table(t) = &mut items[pos].kind else {
                    unreachable!("keyed_by_id checked every element is a table")
                };
                table = t;
                walked.push(id);
                i += 2;
            }
            _ => {
                return Err(Problem::new(format!(
                    "`{}` is {}, so `{key}` cannot be set inside it",
                    walked.join("."),
                    next_type
                ))
                .at(Location::span(&source, 0, eq)));
            }
        }
    }
    let last = parts[parts.len() - 1];
    table.insert(last.to_string(), key_origin, value);
    Ok(format!("{key}={raw}"))
}

/// Parses the value of a `--set`: any TOML value, or a bare word taken as a string.
fn parse_value(raw: &str, at: Origin) -> Result<Tv, Problem> {
    let wrapped = format!("v = {raw}");
    if let Ok(doc) = toml::de::DeTable::parse(&wrapped) {
        let src = &at.source;
        if let Some((_, v)) = doc.into_inner().into_iter().next() {
            let mut tv = convert_value(v, src);
            relocate(&mut tv, &at);
            return Ok(tv);
        }
    }
    let bare = !raw.is_empty()
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '/'));
    if bare {
        return Ok(Tv {
            kind: Kind::Str(raw.to_string()),
            at,
        });
    }
    Err(Problem::new(format!("`{}` is not a TOML value", clip(raw)))
        .at(at.location())
        .help("quote strings, e.g. --set 'rubric.title=\"My title\"', or write a number, true/false, or [1, 100]"))
}

/// Points every span of a value parsed from a wrapped string at the `--set` value.
fn relocate(tv: &mut Tv, at: &Origin) {
    tv.at = at.clone();
    match &mut tv.kind {
        Kind::Array(items) => items.iter_mut().for_each(|i| relocate(i, at)),
        Kind::Table(t) => t.entries.iter_mut().for_each(|e| {
            e.key_at = at.clone();
            relocate(&mut e.value, at);
        }),
        _ => {}
    }
}

/// Reads one table strictly: typed getters record problems, and `finish` reports keys that were
/// never asked for, with a "did you mean" suggestion among the keys that were.
pub(crate) struct Reader<'a> {
    table: &'a Table,
    /// Dotted path of this table, for messages.
    pub path: String,
    at: Origin,
    known: Vec<String>,
}

impl<'a> Reader<'a> {
    /// Reads `table`, found at `path` (written at `at`).
    pub(crate) fn new(table: &'a Table, path: impl Into<String>, at: &Origin) -> Self {
        Reader {
            table,
            path: path.into(),
            at: at.clone(),
            known: Vec::new(),
        }
    }

    fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The raw value at `key`, if present (and marks `key` as known).
    pub(crate) fn get(&mut self, key: &str) -> Option<&'a Tv> {
        if !self.known.iter().any(|k| k == key) {
            self.known.push(key.to_string());
        }
        self.table.get(key)
    }

    /// A problem about the value at `key`.
    pub(crate) fn problem_at(&self, tv: &Tv, key: &str, message: impl Into<String>) -> Problem {
        Problem::new(message).at(tv.at.location().with_key(self.key_path(key)))
    }

    /// A problem about the value at `key`, which was read from this table (at the table itself
    /// if it is not there).
    pub(crate) fn problem_at_key(&self, key: &str, message: impl Into<String>) -> Problem {
        match self.table.get(key) {
            Some(tv) => self.problem_at(tv, key, message),
            None => self.problem_here(message),
        }
    }

    /// A problem about the table itself (for a missing key).
    pub(crate) fn problem_here(&self, message: impl Into<String>) -> Problem {
        Problem::new(message).at(self.at.location().with_key(self.path.clone()))
    }

    fn wrong_type(&self, tv: &Tv, key: &str, expected: &str) -> Problem {
        self.problem_at(
            tv,
            key,
            format!(
                "`{}` must be {expected}, found {}",
                self.key_path(key),
                tv.type_name()
            ),
        )
    }

    /// An optional string.
    pub(crate) fn str(&mut self, key: &'static str, p: &mut Problems) -> Option<String> {
        let tv = self.get(key)?;
        match &tv.kind {
            Kind::Str(s) => Some(s.clone()),
            _ => {
                p.push(self.wrong_type(tv, key, "a string"));
                None
            }
        }
    }

    /// A required string.
    pub(crate) fn req_str(&mut self, key: &'static str, p: &mut Problems) -> Option<String> {
        if self.table.get(key).is_none() {
            self.get(key);
            p.push(self.problem_here(format!("missing `{}`", self.key_path(key))));
            return None;
        }
        self.str(key, p)
    }

    /// An optional finite number (integers accepted).
    pub(crate) fn f64(&mut self, key: &'static str, p: &mut Problems) -> Option<f64> {
        let tv = self.get(key)?;
        match tv.as_f64() {
            Some(x) if x.is_finite() => Some(x),
            Some(_) => {
                p.push(self.problem_at(
                    tv,
                    key,
                    format!("`{}` must be a finite number", self.key_path(key)),
                ));
                None
            }
            None => {
                p.push(self.wrong_type(tv, key, "a number"));
                None
            }
        }
    }

    /// An optional integer.
    pub(crate) fn int(&mut self, key: &'static str, p: &mut Problems) -> Option<i64> {
        let tv = self.get(key)?;
        match tv.kind {
            Kind::Int(i) => Some(i),
            Kind::Float(f) if f.fract() == 0.0 && f.is_finite() && f.abs() < 9.0e15 => {
                Some(f as i64)
            }
            _ => {
                p.push(self.wrong_type(tv, key, "an integer"));
                None
            }
        }
    }

    /// An optional boolean.
    pub(crate) fn bool(&mut self, key: &'static str, p: &mut Problems) -> Option<bool> {
        let tv = self.get(key)?;
        match tv.kind {
            Kind::Bool(b) => Some(b),
            _ => {
                p.push(self.wrong_type(tv, key, "true or false"));
                None
            }
        }
    }

    /// An optional sub-table.
    pub(crate) fn table(
        &mut self,
        key: &'static str,
        p: &mut Problems,
    ) -> Option<(&'a Table, &'a Origin)> {
        let tv = self.get(key)?;
        match &tv.kind {
            Kind::Table(t) => Some((t, &tv.at)),
            _ => {
                p.push(self.wrong_type(tv, key, "a table"));
                None
            }
        }
    }

    /// Each entry of the optional table `key`, a table of tables such as `[facets]`, read by a
    /// reader of its own at `<key>.<entry>`. An entry that is not a table comes as the problem
    /// "`<key>.<entry>` must be {expected}", for the caller to record in its place among the
    /// problems of the other entries.
    pub(crate) fn sub_tables(
        &mut self,
        key: &'static str,
        expected: &'static str,
        p: &mut Problems,
    ) -> impl Iterator<Item = Result<(&'a Entry, Reader<'a>), Problem>> + use<'a> {
        let base = self.key_path(key);
        let entries: &'a [Entry] = self.table(key, p).map_or(&[], |(t, _)| &t.entries);
        entries.iter().map(move |e| {
            let path = format!("{base}.{}", e.key);
            match e.value.as_table() {
                Some(t) => Ok((e, Reader::new(t, path, &e.value.at))),
                None => Err(Problem::new(format!("`{path}` must be {expected}")).at(e
                    .value
                    .at
                    .location()
                    .with_key(path))),
            }
        })
    }

    /// An optional array.
    pub(crate) fn array(&mut self, key: &'static str, p: &mut Problems) -> Option<&'a [Tv]> {
        let tv = self.get(key)?;
        match &tv.kind {
            Kind::Array(a) => Some(a),
            _ => {
                p.push(self.wrong_type(tv, key, "an array"));
                None
            }
        }
    }

    /// An optional array of finite numbers.
    pub(crate) fn f64_array(&mut self, key: &'static str, p: &mut Problems) -> Option<Vec<f64>> {
        let items = self.array(key, p)?;
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item.as_f64() {
                Some(x) if x.is_finite() => out.push(x),
                _ => {
                    p.push(self.problem_at(
                        item,
                        key,
                        format!("`{}` must hold finite numbers only", self.key_path(key)),
                    ));
                    return None;
                }
            }
        }
        Some(out)
    }

    /// An optional string or array of strings.
    pub(crate) fn str_list(&mut self, key: &'static str, p: &mut Problems) -> Option<Vec<String>> {
        let tv = self.get(key)?;
        match &tv.kind {
            Kind::Str(s) => Some(vec![s.clone()]),
            Kind::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    match item.as_str() {
                        Some(s) => out.push(s.to_string()),
                        None => {
                            p.push(self.wrong_type(item, key, "a string or an array of strings"));
                            return None;
                        }
                    }
                }
                Some(out)
            }
            _ => {
                p.push(self.wrong_type(tv, key, "a string or an array of strings"));
                None
            }
        }
    }

    /// Marks keys as known without reading them (read elsewhere).
    pub(crate) fn allow<S: AsRef<str>>(&mut self, keys: &[S]) {
        for k in keys {
            if !self.known.iter().any(|x| x == k.as_ref()) {
                self.known.push(k.as_ref().to_string());
            }
        }
    }

    /// Reports every key that was never asked for.
    pub(crate) fn finish(self, p: &mut Problems) {
        for e in &self.table.entries {
            if !self.known.contains(&e.key) {
                if p.full() {
                    p.count(&e.key_at.source.name);
                    continue;
                }
                let mut problem = Problem::new(format!("unknown key `{}`", self.key_path(&e.key)))
                    .at(e.key_at.location().with_key(self.key_path(&e.key)));
                problem = match did_you_mean(&e.key, self.known.iter().map(String::as_str)) {
                    Some(h) => problem.help(h),
                    None => problem.help(format!(
                        "known keys here: {}",
                        self.known
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                };
                p.push(problem);
            }
        }
    }
}
