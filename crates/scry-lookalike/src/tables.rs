//! Small tables written for this project: keyboard rows, ASCII look-alike
//! sequences, default dictionary and TLD lists, homophones, numerals and
//! dynamic-DNS providers. Unicode look-alikes are not here: they are derived
//! from the TR39 confusables data of `unicode-security` (see `fold`).

/// A keyboard as rows of keys from top to bottom. Each row is shifted half a
/// key to the right of the one above, as on a physical keyboard, so a key's
/// neighbours are: left and right on its row, the keys at the same index and
/// one to the right on the row above, and at the same index and one to the
/// left on the row below.
pub(crate) struct Keyboard {
    rows: [&'static str; 4],
}

/// The layouts the `replacement` and `insertion` techniques use.
pub(crate) const KEYBOARDS: [Keyboard; 3] = [
    // qwerty
    Keyboard {
        rows: ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"],
    },
    // qwertz
    Keyboard {
        rows: ["1234567890", "qwertzuiop", "asdfghjkl", "yxcvbnm"],
    },
    // azerty
    Keyboard {
        rows: ["1234567890", "azertyuiop", "qsdfghjklm", "wxcvbn"],
    },
];

impl Keyboard {
    /// The keys next to `c` on this layout (empty when `c` is not a key).
    pub(crate) fn neighbours(&self, c: u8) -> Vec<u8> {
        let mut out = Vec::new();
        for (r, row) in self.rows.iter().enumerate() {
            let row = row.as_bytes();
            let Some(i) = row.iter().position(|&k| k == c) else {
                continue;
            };
            let i = i as isize;
            let mut push = |row: usize, idx: isize| {
                if let Some(&k) = usize::try_from(idx)
                    .ok()
                    .and_then(|idx| self.rows.get(row).and_then(|r| r.as_bytes().get(idx)))
                    && k != c
                    && !out.contains(&k)
                {
                    out.push(k);
                }
            };
            push(r, i - 1);
            push(r, i + 1);
            if r > 0 {
                push(r - 1, i);
                push(r - 1, i + 1);
            }
            push(r + 1, i - 1);
            push(r + 1, i);
        }
        out
    }
}

/// Whether `a` and `b` are neighbours on any of the layouts.
pub(crate) fn keyboard_adjacent(a: u8, b: u8) -> bool {
    keyboard_adjacency()[usize::from(a & 0x7f)] & bit(b) != 0
}

fn bit(b: u8) -> u64 {
    match b {
        b'a'..=b'z' => 1 << (b - b'a'),
        b'0'..=b'9' => 1 << (26 + b - b'0'),
        _ => 0,
    }
}

fn keyboard_adjacency() -> &'static [u64; 128] {
    static TABLE: std::sync::OnceLock<[u64; 128]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [0u64; 128];
        for kb in &KEYBOARDS {
            for c in (b'a'..=b'z').chain(b'0'..=b'9') {
                for n in kb.neighbours(c) {
                    t[usize::from(c)] |= bit(n);
                }
            }
        }
        t
    })
}

/// ASCII sequences that look alike in common fonts (`from` may be written
/// as `to`). Single characters and the multi-character lookalikes typosquats
/// use (`rn` for `m`, `vv` for `w`, `cl` for `d`).
pub(crate) const ASCII_GLYPHS: &[(&str, &str)] = &[
    ("0", "o"),
    ("1", "l"),
    ("1", "i"),
    ("3", "8"),
    ("5", "s"),
    ("6", "9"),
    ("8", "3"),
    ("9", "6"),
    ("b", "d"),
    ("b", "lb"),
    ("b", "6"),
    ("c", "e"),
    ("d", "b"),
    ("d", "cl"),
    ("d", "dl"),
    ("e", "c"),
    ("g", "q"),
    ("g", "9"),
    ("h", "lh"),
    ("i", "1"),
    ("i", "l"),
    ("k", "lc"),
    ("l", "1"),
    ("l", "i"),
    ("m", "n"),
    ("m", "nn"),
    ("m", "rn"),
    ("m", "rr"),
    ("n", "m"),
    ("n", "r"),
    ("o", "0"),
    ("q", "g"),
    ("s", "5"),
    ("u", "v"),
    ("v", "u"),
    ("w", "vv"),
    ("rn", "m"),
    ("cl", "d"),
    ("vv", "w"),
];

/// Whether single characters `a` and `b` look alike (either direction).
pub(crate) fn ascii_glyph_pair(a: u8, b: u8) -> bool {
    ASCII_GLYPHS.iter().any(|(f, t)| {
        let (f, t) = (f.as_bytes(), t.as_bytes());
        f.len() == 1 && t.len() == 1 && ((f[0] == a && t[0] == b) || (f[0] == b && t[0] == a))
    })
}

/// The default dictionary for the `dictionary` technique: words phishing
/// and brand-abuse domains add to a brand (`paypal-secure-login.com`).
/// `GenerateOptions::words` / `MatcherOptions::words` replace it.
pub(crate) const DEFAULT_WORDS: &[&str] = &[
    "access",
    "account",
    "accounts",
    "activate",
    "admin",
    "alert",
    "app",
    "apps",
    "auth",
    "bank",
    "banking",
    "billing",
    "bonus",
    "center",
    "check",
    "claim",
    "client",
    "cloud",
    "confirm",
    "connect",
    "crypto",
    "customer",
    "dashboard",
    "delivery",
    "desk",
    "docs",
    "download",
    "drive",
    "free",
    "gift",
    "help",
    "id",
    "info",
    "invoice",
    "live",
    "login",
    "logon",
    "mail",
    "member",
    "mobile",
    "my",
    "official",
    "online",
    "order",
    "pay",
    "payment",
    "portal",
    "promo",
    "recovery",
    "refund",
    "reset",
    "secure",
    "security",
    "service",
    "services",
    "shop",
    "signin",
    "sso",
    "store",
    "support",
    "team",
    "token",
    "unlock",
    "update",
    "user",
    "verify",
    "wallet",
    "web",
    "webmail",
];

/// The default TLD list for `tld_swap`: common and commonly abused TLDs.
/// `GenerateOptions::tlds` replaces it.
pub(crate) const DEFAULT_TLDS: &[&str] = &[
    "com", "net", "org", "info", "biz", "co", "io", "me", "us", "uk", "de", "fr", "ru", "cn", "in",
    "br", "eu", "nl", "it", "es", "pl", "xyz", "top", "online", "site", "club", "shop", "app",
    "dev", "ai", "cc", "tv", "ws", "pw", "tk", "ml", "ga", "cf", "gq", "icu", "live", "store",
    "tech", "space", "website", "fun", "vip", "work", "support", "services", "cloud", "link",
    "click", "buzz", "rest", "cyou", "sbs", "mobi", "pro",
];

/// TLDs that `add_tld` appends after the real suffix (`paypal.com.co`).
pub(crate) const ADD_TLDS: &[&str] = &[
    "com", "net", "org", "co", "io", "info", "xyz", "top", "online", "site", "app", "ru", "cn",
];

/// Second-level labels of two-level public suffixes that `wrong_sld` swaps
/// among (`co.uk` → `org.uk`).
pub(crate) const SLDS: &[&str] = &["co", "com", "org", "net", "ac", "gov", "edu", "ne", "or"];

/// Sound-alike spellings: whole words and the letter groups that sound the
/// same inside words. Each group's members replace one another.
pub(crate) const HOMOPHONES: &[&[&str]] = &[
    &["ph", "f"],
    &["ck", "k", "kk"],
    &["qu", "kw"],
    &["ks", "x"],
    &["ee", "ea", "ie"],
    &["oo", "ou"],
    &["ai", "ay", "ei"],
    &["buy", "by", "bye"],
    &["for", "four"],
    &["to", "too", "two"],
    &["right", "write", "rite"],
    &["mail", "male"],
    &["sale", "sail"],
    &["sea", "see"],
    &["sun", "son"],
    &["one", "won"],
    &["new", "knew"],
    &["know", "no"],
    &["high", "hi"],
    &["night", "nite"],
    &["light", "lite"],
    &["you", "u"],
    &["are", "r"],
    &["why", "y"],
    &["your", "ur"],
    &["site", "sight", "cite"],
    &["wear", "ware", "where"],
    &["pair", "pear", "pare"],
    &["whole", "hole"],
    &["meet", "meat"],
    &["cell", "sell"],
    &["plane", "plain"],
    &["weigh", "way"],
    &["bank", "banc"],
    &["cash", "cache"],
    &["soft", "sofft"],
];

/// Numbers as digits and as English words, for `numeral_swap`.
pub(crate) const NUMERALS: &[(&str, &str)] = &[
    ("0", "zero"),
    ("1", "one"),
    ("2", "two"),
    ("3", "three"),
    ("4", "four"),
    ("5", "five"),
    ("6", "six"),
    ("7", "seven"),
    ("8", "eight"),
    ("9", "nine"),
    ("10", "ten"),
    ("1st", "first"),
    ("2nd", "second"),
    ("3rd", "third"),
];

/// Dynamic-DNS providers' domains, for `add_dynamic_dns`.
pub(crate) const DYNAMIC_DNS: &[&str] = &[
    "duckdns.org",
    "ddns.net",
    "no-ip.org",
    "hopto.org",
    "zapto.org",
    "dynu.net",
    "mooo.com",
    "dyndns.org",
    "servehttp.com",
    "myftp.biz",
    "freeddns.org",
    "dynv6.net",
];

/// Suffixes whose registries accept no internationalised labels: homoglyph
/// and Cyrillic variants are not generated under them (dnstwist issue #219).
pub(crate) const ASCII_ONLY_SUFFIXES: &[&str] = &[
    "ad", "cz", "sk", "uk", "co.uk", "org.uk", "nl", "edu", "gov", "mil", "int", "us", "jp",
    "co.jp", "ad.jp", "ne.jp", "cn", "com.cn", "tw", "com.tw", "net.tw",
];

/// Suffixes whose registries accept Latin-script IDNs only.
pub(crate) const LATIN_ONLY_SUFFIXES: &[&str] = &[
    "info", "br", "com.br", "dk", "de", "pl", "fi", "no", "be", "fr", "re", "yt", "pm", "wf", "tf",
    "ch", "li", "ca",
];
