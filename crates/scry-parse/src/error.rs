use std::fmt;

use thiserror::Error;

/// Result alias for the parse crate.
pub type Result<T, E = ParseError> = std::result::Result<T, E>;

/// What went wrong, as a category (for counters: `rejected{reason}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// Not valid UTF-8 where text was expected.
    Encoding,
    /// Not valid syntax for the format (bad JSON, missing field...).
    Syntax,
    /// A field with a value that cannot be normalised.
    Value,
    /// The input ended in the middle of a record.
    Truncated,
    /// A record or input larger than the parser accepts.
    TooLarge,
    /// Something the parser refuses on purpose (`$INCLUDE`, nesting too deep).
    Refused,
    /// Not supported (yet).
    Unsupported,
}

impl ParseErrorKind {
    /// Stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ParseErrorKind::Encoding => "encoding",
            ParseErrorKind::Syntax => "syntax",
            ParseErrorKind::Value => "value",
            ParseErrorKind::Truncated => "truncated",
            ParseErrorKind::TooLarge => "too_large",
            ParseErrorKind::Refused => "refused",
            ParseErrorKind::Unsupported => "unsupported",
        }
    }
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parse error that says where: source (file name), line, column, field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub struct ParseError {
    /// Category.
    pub kind: ParseErrorKind,
    /// Human-readable reason, lower case.
    pub message: String,
    /// The source's name (usually a file path), when known.
    pub source_name: Option<String>,
    /// 1-based line, when the format has lines.
    pub line: Option<u64>,
    /// 1-based column (or byte offset within the record).
    pub column: Option<u64>,
    /// The field that was wrong, when one was.
    pub field: Option<String>,
}

impl ParseError {
    /// A new error with only a kind and a message.
    pub fn new(kind: ParseErrorKind, message: impl Into<String>) -> ParseError {
        ParseError {
            kind,
            message: message.into(),
            source_name: None,
            line: None,
            column: None,
            field: None,
        }
    }

    /// Sets the source name.
    pub fn with_source(mut self, name: impl Into<String>) -> ParseError {
        self.source_name = Some(name.into());
        self
    }

    /// Sets the line.
    pub fn at_line(mut self, line: u64) -> ParseError {
        self.line = Some(line);
        self
    }

    /// Sets the column.
    pub fn at_column(mut self, column: u64) -> ParseError {
        self.column = Some(column);
        self
    }

    /// Sets the field.
    pub fn in_field(mut self, field: impl Into<String>) -> ParseError {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = &self.source_name {
            f.write_str(s)?;
            if self.line.is_some() {
                f.write_str(":")?;
            } else {
                f.write_str(": ")?;
            }
        }
        if let Some(l) = self.line {
            write!(f, "{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
            f.write_str(": ")?;
        }
        if let Some(fl) = &self.field {
            write!(f, "field {fl:?}: ")?;
        }
        f.write_str(&self.message)
    }
}
