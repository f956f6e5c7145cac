//! The fixed facts of the synthetic world: TLDs and their registries,
//! registrars (names, IANA ids, market shares), hosting networks (ASNs and
//! address blocks), DNS operators, parking and sinkhole services, privacy
//! proxies, certificate issuers, brands.
//!
//! Names, IANA registrar ids and AS numbers are those of the real operators,
//! so the data looks like the real internet. Every IP address, however, is
//! drawn from space that is not routed on the internet (100.64.0.0/10,
//! 198.18.0.0/15, 2001:db8::/32), carved into per-operator allocations, so
//! nothing generated ever points at a real host.

/// A generated top-level domain and its registry.
pub(crate) struct Tld {
    pub(crate) name: &'static str,
    /// Relative share of benign registrations.
    pub(crate) weight: u32,
    /// Cheap and abused: where phishing, spam and DGA domains go.
    pub(crate) cheap: bool,
    pub(crate) soa_mname: &'static str,
    pub(crate) soa_rname: &'static str,
    /// Apex name servers (absolute, without the trailing dot).
    pub(crate) apex_ns: &'static [&'static str],
    /// Suffix of the registry's domain handles (`123_DOMAIN_COM-VRSN`).
    pub(crate) roid: &'static str,
    pub(crate) whois: &'static str,
    pub(crate) rdap: &'static str,
}

const GTLD_SERVERS: &[&str] = &[
    "a.gtld-servers.net",
    "b.gtld-servers.net",
    "c.gtld-servers.net",
    "d.gtld-servers.net",
    "e.gtld-servers.net",
    "f.gtld-servers.net",
];

macro_rules! nic {
    ($t:literal) => {
        &[
            concat!("a.nic.", $t),
            concat!("b.nic.", $t),
            concat!("c.nic.", $t),
            concat!("d.nic.", $t),
        ]
    };
}

pub(crate) const TLDS: &[Tld] = &[
    Tld {
        name: "com",
        weight: 520,
        cheap: false,
        soa_mname: "a.gtld-servers.net",
        soa_rname: "nstld.verisign-grs.com",
        apex_ns: GTLD_SERVERS,
        roid: "_DOMAIN_COM-VRSN",
        whois: "whois.verisign-grs.com",
        rdap: "https://rdap.verisign.com/com/v1/",
    },
    Tld {
        name: "net",
        weight: 60,
        cheap: false,
        soa_mname: "a.gtld-servers.net",
        soa_rname: "nstld.verisign-grs.com",
        apex_ns: GTLD_SERVERS,
        roid: "_DOMAIN_NET-VRSN",
        whois: "whois.verisign-grs.com",
        rdap: "https://rdap.verisign.com/net/v1/",
    },
    Tld {
        name: "org",
        weight: 55,
        cheap: false,
        soa_mname: "a0.org.afilias-nst.info",
        soa_rname: "hostmaster.donuts.email",
        apex_ns: &[
            "a0.org.afilias-nst.info",
            "a2.org.afilias-nst.info",
            "c0.org.afilias-nst.info",
        ],
        roid: "-LROR",
        whois: "whois.publicinterestregistry.org",
        rdap: "https://rdap.publicinterestregistry.org/rdap/",
    },
    Tld {
        name: "info",
        weight: 25,
        cheap: true,
        soa_mname: "a0.info.afilias-nst.info",
        soa_rname: "hostmaster.donuts.email",
        apex_ns: &[
            "a0.info.afilias-nst.info",
            "a2.info.afilias-nst.info",
            "b0.info.afilias-nst.org",
        ],
        roid: "-LRMS",
        whois: "whois.nic.info",
        rdap: "https://rdap.identitydigital.services/rdap/",
    },
    Tld {
        name: "xyz",
        weight: 40,
        cheap: true,
        soa_mname: "ns0.centralnic.net",
        soa_rname: "hostmaster.centralnic.net",
        apex_ns: nic!("xyz"),
        roid: "-CNIC",
        whois: "whois.nic.xyz",
        rdap: "https://rdap.centralnic.com/xyz/",
    },
    Tld {
        name: "top",
        weight: 35,
        cheap: true,
        soa_mname: "a.zdnscloud.cn",
        soa_rname: "domain-service.nic.top",
        apex_ns: nic!("top"),
        roid: "-TOP",
        whois: "whois.nic.top",
        rdap: "https://rdap.zdnsgtld.com/top/",
    },
    Tld {
        name: "shop",
        weight: 30,
        cheap: true,
        soa_mname: "a.nic.shop",
        soa_rname: "hostmaster.gmoregistry.net",
        apex_ns: nic!("shop"),
        roid: "-GMO",
        whois: "whois.nic.shop",
        rdap: "https://rdap.gmoregistry.net/rdap/",
    },
    Tld {
        name: "online",
        weight: 30,
        cheap: true,
        soa_mname: "ns0.centralnic.net",
        soa_rname: "hostmaster.centralnic.net",
        apex_ns: nic!("online"),
        roid: "-CNIC",
        whois: "whois.nic.online",
        rdap: "https://rdap.centralnic.com/online/",
    },
    Tld {
        name: "site",
        weight: 25,
        cheap: true,
        soa_mname: "ns0.centralnic.net",
        soa_rname: "hostmaster.centralnic.net",
        apex_ns: nic!("site"),
        roid: "-CNIC",
        whois: "whois.nic.site",
        rdap: "https://rdap.centralnic.com/site/",
    },
    Tld {
        name: "store",
        weight: 18,
        cheap: true,
        soa_mname: "ns0.centralnic.net",
        soa_rname: "hostmaster.centralnic.net",
        apex_ns: nic!("store"),
        roid: "-CNIC",
        whois: "whois.nic.store",
        rdap: "https://rdap.centralnic.com/store/",
    },
    Tld {
        name: "icu",
        weight: 12,
        cheap: true,
        soa_mname: "ns0.centralnic.net",
        soa_rname: "hostmaster.centralnic.net",
        apex_ns: nic!("icu"),
        roid: "-CNIC",
        whois: "whois.nic.icu",
        rdap: "https://rdap.centralnic.com/icu/",
    },
    Tld {
        name: "club",
        weight: 12,
        cheap: true,
        soa_mname: "ns1.dns.nic.club",
        soa_rname: "hostmaster.registry.godaddy",
        apex_ns: nic!("club"),
        roid: "-CLUB",
        whois: "whois.nic.club",
        rdap: "https://rdap.nic.club/",
    },
    Tld {
        name: "live",
        weight: 15,
        cheap: true,
        soa_mname: "v0n0.nic.live",
        soa_rname: "hostmaster.donuts.email",
        apex_ns: nic!("live"),
        roid: "-DONUTS",
        whois: "whois.nic.live",
        rdap: "https://rdap.identitydigital.services/rdap/",
    },
    Tld {
        name: "click",
        weight: 8,
        cheap: true,
        soa_mname: "a.nic.click",
        soa_rname: "hostmaster.registry.godaddy",
        apex_ns: nic!("click"),
        roid: "-UNR",
        whois: "whois.nic.click",
        rdap: "https://rdap.nic.click/",
    },
    Tld {
        name: "app",
        weight: 28,
        cheap: false,
        soa_mname: "ns-tld1.charlestonroadregistry.com",
        soa_rname: "cloud-dns-hostmaster.google.com",
        apex_ns: nic!("app"),
        roid: "-GOOGLE",
        whois: "whois.nic.google",
        rdap: "https://pubapi.registry.google/rdap/",
    },
    Tld {
        name: "dev",
        weight: 18,
        cheap: false,
        soa_mname: "ns-tld1.charlestonroadregistry.com",
        soa_rname: "cloud-dns-hostmaster.google.com",
        apex_ns: nic!("dev"),
        roid: "-GOOGLE",
        whois: "whois.nic.google",
        rdap: "https://pubapi.registry.google/rdap/",
    },
    Tld {
        name: "biz",
        weight: 9,
        cheap: true,
        soa_mname: "a.gtld.biz",
        soa_rname: "hostmaster.registry.godaddy",
        apex_ns: nic!("biz"),
        roid: "-NEUSTAR",
        whois: "whois.nic.biz",
        rdap: "https://rdap.nic.biz/",
    },
];

/// A privacy/proxy service as its WHOIS shows it.
pub(crate) struct Proxy {
    pub(crate) org: &'static str,
    pub(crate) street: &'static str,
    pub(crate) city: &'static str,
    pub(crate) state: &'static str,
    pub(crate) postal: &'static str,
    pub(crate) country: &'static str,
    pub(crate) phone: &'static str,
    /// The per-domain alias mailbox lives under this domain.
    pub(crate) email_domain: &'static str,
}

/// An ICANN-accredited registrar.
pub(crate) struct Registrar {
    pub(crate) name: &'static str,
    pub(crate) iana: u32,
    pub(crate) whois: &'static str,
    pub(crate) url: &'static str,
    pub(crate) abuse_email: &'static str,
    pub(crate) abuse_phone: &'static str,
    /// Share of benign registrations (per mille-ish weight).
    pub(crate) weight: u32,
    /// Weight among abusive registrations.
    pub(crate) abuse_weight: u32,
    /// Index into [`DNS_OPS`] of the registrar's default name servers.
    pub(crate) dns: usize,
    pub(crate) proxy: Proxy,
    pub(crate) rdap: &'static str,
}

macro_rules! proxy {
    ($org:literal, $street:literal, $city:literal, $state:literal, $postal:literal, $cc:literal, $phone:literal, $mail:literal) => {
        Proxy {
            org: $org,
            street: $street,
            city: $city,
            state: $state,
            postal: $postal,
            country: $cc,
            phone: $phone,
            email_domain: $mail,
        }
    };
}

pub(crate) const REGISTRARS: &[Registrar] = &[
    Registrar {
        name: "GoDaddy.com, LLC",
        iana: 146,
        whois: "whois.godaddy.com",
        url: "https://www.godaddy.com",
        abuse_email: "abuse@godaddy.com",
        abuse_phone: "+1.4806242505",
        weight: 300,
        abuse_weight: 40,
        dns: 0,
        proxy: proxy!(
            "Domains By Proxy, LLC",
            "2155 E Warner Rd",
            "Tempe",
            "Arizona",
            "85284",
            "US",
            "+1.4806242599",
            "domainsbyproxy.com"
        ),
        rdap: "https://rdap.godaddy.com/v1/",
    },
    Registrar {
        name: "NameCheap, Inc.",
        iana: 1068,
        whois: "whois.namecheap.com",
        url: "http://www.namecheap.com",
        abuse_email: "abuse@namecheap.com",
        abuse_phone: "+1.9854014545",
        weight: 120,
        abuse_weight: 220,
        dns: 1,
        proxy: proxy!(
            "Withheld for Privacy ehf",
            "Kalkofnsvegur 2",
            "Reykjavik",
            "Capital Region",
            "101",
            "IS",
            "+354.4212434",
            "withheldforprivacy.com"
        ),
        rdap: "https://rdap.namecheap.com/",
    },
    Registrar {
        name: "Tucows Domains Inc.",
        iana: 69,
        whois: "whois.tucows.com",
        url: "http://tucowsdomains.com",
        abuse_email: "domainabuse@tucows.com",
        abuse_phone: "+1.4165350123",
        weight: 70,
        abuse_weight: 10,
        dns: 2,
        proxy: proxy!(
            "Contact Privacy Inc.",
            "96 Mowat Ave",
            "Toronto",
            "ON",
            "M4K 3K1",
            "CA",
            "+1.4165385457",
            "contactprivacy.com"
        ),
        rdap: "https://rdap.tucows.com/",
    },
    Registrar {
        name: "Squarespace Domains II LLC",
        iana: 895,
        whois: "whois.squarespace.domains",
        url: "https://domains.squarespace.com",
        abuse_email: "abuse-complaints@squarespace.com",
        abuse_phone: "+1.6466935324",
        weight: 50,
        abuse_weight: 5,
        dns: 3,
        proxy: proxy!(
            "Contact Privacy Inc. Customer 7151571251",
            "96 Mowat Ave",
            "Toronto",
            "ON",
            "M4K 3K1",
            "CA",
            "+1.4165385487",
            "contactprivacy.email"
        ),
        rdap: "https://rdap.squarespace.domains/",
    },
    Registrar {
        name: "Network Solutions, LLC",
        iana: 2,
        whois: "whois.networksolutions.com",
        url: "http://networksolutions.com",
        abuse_email: "domain.operations@web.com",
        abuse_phone: "+1.8777228662",
        weight: 40,
        abuse_weight: 3,
        dns: 4,
        proxy: proxy!(
            "Perfect Privacy, LLC",
            "5335 Gate Parkway care of Network Solutions PO Box 459",
            "Jacksonville",
            "FL",
            "32256",
            "US",
            "+1.5707088622",
            "web.com"
        ),
        rdap: "https://rdap.networksolutions.com/rdap/",
    },
    Registrar {
        name: "PDR Ltd. d/b/a PublicDomainRegistry.com",
        iana: 303,
        whois: "whois.publicdomainregistry.com",
        url: "http://www.publicdomainregistry.com",
        abuse_email: "abuse-contact@publicdomainregistry.com",
        abuse_phone: "+1.2013775952",
        weight: 50,
        abuse_weight: 110,
        dns: 5,
        proxy: proxy!(
            "Privacy Protect, LLC (PrivacyProtect.org)",
            "10 Corporate Drive",
            "Burlington",
            "MA",
            "01803",
            "US",
            "+1.8022274003",
            "privacyprotect.org"
        ),
        rdap: "https://rdap.publicdomainregistry.com/rdap/",
    },
    Registrar {
        name: "IONOS SE",
        iana: 83,
        whois: "whois.ionos.com",
        url: "https://www.ionos.com",
        abuse_email: "abuse@ionos.com",
        abuse_phone: "+49.72191374",
        weight: 40,
        abuse_weight: 8,
        dns: 6,
        proxy: proxy!(
            "1&1 Internet Inc.",
            "701 Lee Road Suite 300",
            "Chesterbrook",
            "PA",
            "19087",
            "US",
            "+1.8772064254",
            "1and1-private-registration.com"
        ),
        rdap: "https://rdap.ionos.com/",
    },
    Registrar {
        name: "Alibaba Cloud Computing (Beijing) Co., Ltd.",
        iana: 420,
        whois: "grs-whois.hichina.com",
        url: "http://whois.aliyun.com",
        abuse_email: "DomainAbuse@service.aliyun.com",
        abuse_phone: "+86.95187",
        weight: 40,
        abuse_weight: 90,
        dns: 7,
        proxy: proxy!(
            "Alibaba Cloud Computing Ltd. d/b/a HiChina (www.net.cn)",
            "Hangzhou",
            "Zhejiang",
            "Zhejiang",
            "310000",
            "CN",
            "+86.57185022088",
            "aliyun.com"
        ),
        rdap: "https://rdap.hichina.com/",
    },
    Registrar {
        name: "GMO Internet Group, Inc. d/b/a Onamae.com",
        iana: 49,
        whois: "whois.discount-domain.com",
        url: "http://www.onamae.com",
        abuse_email: "abuse@gmo.jp",
        abuse_phone: "+81.354562560",
        weight: 30,
        abuse_weight: 60,
        dns: 8,
        proxy: proxy!(
            "Whois Privacy Protection Service by onamae.com",
            "26-1 Sakuragaoka-cho, Cerulean Tower 11F",
            "Shibuya-ku",
            "Tokyo",
            "150-8512",
            "JP",
            "+81.354562560",
            "onamae.com"
        ),
        rdap: "https://rdap.gmo-onamae.com/rdap/",
    },
    Registrar {
        name: "Hostinger Operations, UAB",
        iana: 1636,
        whois: "whois.hostinger.com",
        url: "https://www.hostinger.com",
        abuse_email: "abuse-tracker@hostinger.com",
        abuse_phone: "+370.64503378",
        weight: 35,
        abuse_weight: 80,
        dns: 9,
        proxy: proxy!(
            "Privacy Protect, LLC (PrivacyProtect.org)",
            "10 Corporate Drive",
            "Burlington",
            "MA",
            "01803",
            "US",
            "+1.8022274003",
            "privacyprotect.org"
        ),
        rdap: "https://rdap.hostinger.com/",
    },
    Registrar {
        name: "NameSilo, LLC",
        iana: 1479,
        whois: "whois.namesilo.com",
        url: "https://www.namesilo.com/",
        abuse_email: "abuse@namesilo.com",
        abuse_phone: "+1.4805240066",
        weight: 30,
        abuse_weight: 120,
        dns: 10,
        proxy: proxy!(
            "PrivacyGuardian.org llc",
            "1928 E. Highland Ave. Ste F104 PMB# 255",
            "Phoenix",
            "AZ",
            "85016",
            "US",
            "+1.3478717726",
            "privacyguardian.org"
        ),
        rdap: "https://rdap.namesilo.com/",
    },
    Registrar {
        name: "Porkbun LLC",
        iana: 1861,
        whois: "whois.porkbun.com",
        url: "http://porkbun.com",
        abuse_email: "abuse@porkbun.com",
        abuse_phone: "+1.5038508351",
        weight: 30,
        abuse_weight: 70,
        dns: 11,
        proxy: proxy!(
            "Private by Design, LLC",
            "500 Westover Dr #9616",
            "Sanford",
            "NC",
            "27330",
            "US",
            "+1.9712667574",
            "privacy.porkbun.com"
        ),
        rdap: "https://rdap.porkbun.com/",
    },
    Registrar {
        name: "Dynadot Inc",
        iana: 472,
        whois: "whois.dynadot.com",
        url: "http://www.dynadot.com",
        abuse_email: "abuse@dynadot.com",
        abuse_phone: "+1.6502620100",
        weight: 20,
        abuse_weight: 40,
        dns: 12,
        proxy: proxy!(
            "Super Privacy Service LTD c/o Dynadot",
            "PO Box 701",
            "San Mateo",
            "CA",
            "94401",
            "US",
            "+1.6505854708",
            "supersprivacyservice.com"
        ),
        rdap: "https://rdap.dynadot.com/",
    },
    Registrar {
        name: "Gandi SAS",
        iana: 81,
        whois: "whois.gandi.net",
        url: "https://www.gandi.net/whois",
        abuse_email: "abuse@support.gandi.net",
        abuse_phone: "+33.170377661",
        weight: 20,
        abuse_weight: 4,
        dns: 13,
        proxy: proxy!(
            "Gandi SAS",
            "63-65 boulevard Massena",
            "Paris",
            "Paris",
            "75013",
            "FR",
            "+33.170377666",
            "contact.gandi.net"
        ),
        rdap: "https://rdap.gandi.net/",
    },
    Registrar {
        name: "OVH sas",
        iana: 433,
        whois: "whois.ovh.com",
        url: "https://www.ovh.com",
        abuse_email: "abuse@ovh.net",
        abuse_phone: "+33.972101007",
        weight: 30,
        abuse_weight: 15,
        dns: 14,
        proxy: proxy!(
            "OVH sas",
            "2 rue Kellermann",
            "Roubaix",
            "Nord",
            "59100",
            "FR",
            "+33.899701761",
            "contact.whoisproxy.ovh.net"
        ),
        rdap: "https://rdap.ovh.com/",
    },
    Registrar {
        name: "Cloudflare, Inc.",
        iana: 1910,
        whois: "whois.cloudflare.com",
        url: "https://www.cloudflare.com",
        abuse_email: "registrar-abuse@cloudflare.com",
        abuse_phone: "+1.4153197517",
        weight: 30,
        abuse_weight: 10,
        dns: 15,
        proxy: proxy!(
            "DATA REDACTED",
            "DATA REDACTED",
            "DATA REDACTED",
            "CA",
            "DATA REDACTED",
            "US",
            "DATA REDACTED",
            "cloudflareregistrar.com"
        ),
        rdap: "https://rdap.cloudflare.com/rdap/v1/",
    },
    Registrar {
        name: "eNom, LLC",
        iana: 48,
        whois: "whois.enom.com",
        url: "http://www.enomdomains.com",
        abuse_email: "abuse@enom.com",
        abuse_phone: "+1.4259744689",
        weight: 20,
        abuse_weight: 6,
        dns: 16,
        proxy: proxy!(
            "Whois Privacy Protection Service, Inc.",
            "PO Box 639",
            "Kirkland",
            "WA",
            "98083",
            "US",
            "+1.4252740657",
            "privacyprotect.email"
        ),
        rdap: "https://rdap.enom.com/",
    },
    Registrar {
        name: "Key-Systems GmbH",
        iana: 269,
        whois: "whois.rrpproxy.net",
        url: "http://www.key-systems.net",
        abuse_email: "abuse@key-systems.net",
        abuse_phone: "+49.68949396850",
        weight: 15,
        abuse_weight: 12,
        dns: 17,
        proxy: proxy!(
            "Whois Privacy (enumDNS dba)",
            "Alte Reichsstrasse 1",
            "Vaduz",
            "Vaduz",
            "9490",
            "LI",
            "+423.2690000",
            "whoisprivacy.li"
        ),
        rdap: "https://rdap.rrpproxy.net/",
    },
    Registrar {
        name: "MarkMonitor Inc.",
        iana: 292,
        whois: "whois.markmonitor.com",
        url: "http://www.markmonitor.com",
        abuse_email: "abusecomplaints@markmonitor.com",
        abuse_phone: "+1.2086851750",
        weight: 8,
        abuse_weight: 0,
        dns: 18,
        proxy: proxy!(
            "MarkMonitor Inc.",
            "3540 East Longwing Lane Suite 300",
            "Meridian",
            "ID",
            "83646",
            "US",
            "+1.2083895740",
            "markmonitor.com"
        ),
        rdap: "https://rdap.markmonitor.com/rdap/",
    },
    Registrar {
        name: "Wild West Domains, LLC",
        iana: 440,
        whois: "whois.wildwestdomains.com",
        url: "http://www.wildwestdomains.com",
        abuse_email: "abuse@wildwestdomains.com",
        abuse_phone: "+1.4806242505",
        weight: 20,
        abuse_weight: 5,
        dns: 0,
        proxy: proxy!(
            "Domains By Proxy, LLC",
            "2155 E Warner Rd",
            "Tempe",
            "Arizona",
            "85284",
            "US",
            "+1.4806242599",
            "domainsbyproxy.com"
        ),
        rdap: "https://rdap.wildwestdomains.com/v1/",
    },
];

/// Index of MarkMonitor in [`REGISTRARS`] (brand protection, sinkholes).
pub(crate) const MARKMONITOR: usize = 18;

/// An autonomous system with address blocks in non-routed space.
pub(crate) struct Network {
    pub(crate) asn: u32,
    /// ip2asn-style description (`AMAZON-02`).
    pub(crate) desc: &'static str,
    pub(crate) country: &'static str,
    /// IPv4 blocks: (first address as u32, prefix length).
    pub(crate) v4: &'static [(u32, u8)],
    /// IPv6 /48 index inside 2001:db8::/32.
    pub(crate) v6: u16,
    /// Share of benign web hosting.
    pub(crate) weight: u32,
    /// Share of abusive hosting.
    pub(crate) abuse_weight: u32,
    /// How many distinct server addresses shared hosting spreads over.
    pub(crate) servers: u32,
}

const fn ip4(a: u32, b: u32, c: u32, d: u32) -> u32 {
    (a << 24) | (b << 16) | (c << 8) | d
}

pub(crate) const NETWORKS: &[Network] = &[
    Network {
        asn: 16509,
        desc: "AMAZON-02",
        country: "US",
        v4: &[(ip4(100, 64, 0, 0), 15)],
        v6: 0x10,
        weight: 160,
        abuse_weight: 20,
        servers: 60_000,
    },
    Network {
        asn: 13335,
        desc: "CLOUDFLARENET",
        country: "US",
        v4: &[(ip4(100, 66, 0, 0), 16), (ip4(100, 67, 0, 0), 17)],
        v6: 0x11,
        weight: 200,
        abuse_weight: 90,
        servers: 512,
    },
    Network {
        asn: 15169,
        desc: "GOOGLE",
        country: "US",
        v4: &[(ip4(100, 68, 0, 0), 16)],
        v6: 0x12,
        weight: 60,
        abuse_weight: 5,
        servers: 4_000,
    },
    Network {
        asn: 8075,
        desc: "MICROSOFT-CORP-MSN-AS-BLOCK",
        country: "US",
        v4: &[(ip4(100, 69, 0, 0), 16)],
        v6: 0x13,
        weight: 40,
        abuse_weight: 5,
        servers: 8_000,
    },
    Network {
        asn: 14061,
        desc: "DIGITALOCEAN-ASN",
        country: "US",
        v4: &[(ip4(100, 70, 0, 0), 16)],
        v6: 0x14,
        weight: 40,
        abuse_weight: 60,
        servers: 30_000,
    },
    Network {
        asn: 16276,
        desc: "OVH",
        country: "FR",
        v4: &[(ip4(100, 71, 0, 0), 16)],
        v6: 0x15,
        weight: 40,
        abuse_weight: 40,
        servers: 30_000,
    },
    Network {
        asn: 24940,
        desc: "HETZNER-AS",
        country: "DE",
        v4: &[(ip4(100, 72, 0, 0), 16)],
        v6: 0x16,
        weight: 35,
        abuse_weight: 30,
        servers: 30_000,
    },
    Network {
        asn: 20473,
        desc: "AS-CHOOPA",
        country: "US",
        v4: &[(ip4(100, 73, 0, 0), 17)],
        v6: 0x17,
        weight: 15,
        abuse_weight: 50,
        servers: 15_000,
    },
    Network {
        asn: 63949,
        desc: "AKAMAI-LINODE-AP",
        country: "US",
        v4: &[(ip4(100, 73, 128, 0), 17)],
        v6: 0x18,
        weight: 15,
        abuse_weight: 15,
        servers: 15_000,
    },
    Network {
        asn: 22612,
        desc: "NAMECHEAP-NET",
        country: "US",
        v4: &[(ip4(100, 74, 0, 0), 17)],
        v6: 0x19,
        weight: 30,
        abuse_weight: 70,
        servers: 6_000,
    },
    Network {
        asn: 46606,
        desc: "UNIFIEDLAYER-AS-1",
        country: "US",
        v4: &[(ip4(100, 74, 128, 0), 17)],
        v6: 0x1a,
        weight: 40,
        abuse_weight: 20,
        servers: 6_000,
    },
    Network {
        asn: 26496,
        desc: "AS-26496-GO-DADDY-COM-LLC",
        country: "US",
        v4: &[(ip4(100, 75, 0, 0), 16)],
        v6: 0x1b,
        weight: 80,
        abuse_weight: 10,
        servers: 12_000,
    },
    Network {
        asn: 53831,
        desc: "SQUARESPACE",
        country: "US",
        v4: &[(ip4(100, 76, 0, 0), 18)],
        v6: 0x1c,
        weight: 30,
        abuse_weight: 1,
        servers: 64,
    },
    Network {
        asn: 58182,
        desc: "WIX_COM",
        country: "IL",
        v4: &[(ip4(100, 76, 64, 0), 18)],
        v6: 0x1d,
        weight: 30,
        abuse_weight: 3,
        servers: 64,
    },
    Network {
        asn: 47583,
        desc: "AS-HOSTINGER",
        country: "CY",
        v4: &[(ip4(100, 76, 128, 0), 17)],
        v6: 0x1e,
        weight: 35,
        abuse_weight: 70,
        servers: 8_000,
    },
    Network {
        asn: 8560,
        desc: "IONOS-AS",
        country: "DE",
        v4: &[(ip4(100, 77, 0, 0), 16)],
        v6: 0x1f,
        weight: 30,
        abuse_weight: 5,
        servers: 12_000,
    },
    Network {
        asn: 45102,
        desc: "ALIBABA-CN-NET",
        country: "CN",
        v4: &[(ip4(100, 78, 0, 0), 16)],
        v6: 0x20,
        weight: 30,
        abuse_weight: 40,
        servers: 20_000,
    },
    Network {
        asn: 47846,
        desc: "SEDO-AS",
        country: "DE",
        v4: &[(ip4(100, 79, 0, 0), 20)],
        v6: 0x21,
        weight: 0,
        abuse_weight: 0,
        servers: 16,
    },
    Network {
        asn: 44477,
        desc: "STARK-INDUSTRIES",
        country: "GB",
        v4: &[(ip4(198, 18, 0, 0), 18)],
        v6: 0x22,
        weight: 0,
        abuse_weight: 60,
        servers: 4_000,
    },
    Network {
        asn: 210644,
        desc: "AEZA-AS",
        country: "RU",
        v4: &[(ip4(198, 18, 64, 0), 18)],
        v6: 0x23,
        weight: 0,
        abuse_weight: 40,
        servers: 4_000,
    },
    Network {
        asn: 57724,
        desc: "DDOS-GUARD",
        country: "RU",
        v4: &[(ip4(198, 18, 128, 0), 18)],
        v6: 0x24,
        weight: 2,
        abuse_weight: 40,
        servers: 256,
    },
    Network {
        asn: 9009,
        desc: "M247",
        country: "RO",
        v4: &[(ip4(198, 18, 192, 0), 18)],
        v6: 0x25,
        weight: 5,
        abuse_weight: 30,
        servers: 4_000,
    },
    Network {
        asn: 53667,
        desc: "PONYNET",
        country: "US",
        v4: &[(ip4(198, 19, 0, 0), 19)],
        v6: 0x26,
        weight: 2,
        abuse_weight: 20,
        servers: 2_000,
    },
    Network {
        asn: 6939,
        desc: "HURRICANE",
        country: "US",
        v4: &[(ip4(198, 19, 32, 0), 19)],
        v6: 0x27,
        weight: 5,
        abuse_weight: 0,
        servers: 2_000,
    },
    Network {
        asn: 7342,
        desc: "VERISIGN-INC",
        country: "US",
        v4: &[(ip4(198, 19, 64, 0), 20)],
        v6: 0x28,
        weight: 0,
        abuse_weight: 0,
        servers: 64,
    },
    Network {
        asn: 12008,
        desc: "NEUSTAR-AS6",
        country: "US",
        v4: &[(ip4(198, 19, 80, 0), 20)],
        v6: 0x29,
        weight: 0,
        abuse_weight: 0,
        servers: 64,
    },
];

/// Network indices used by name.
pub(crate) mod net {
    pub(crate) const AMAZON: usize = 0;
    pub(crate) const CLOUDFLARE: usize = 1;
    pub(crate) const GOOGLE: usize = 2;
    pub(crate) const MICROSOFT: usize = 3;
    pub(crate) const DIGITALOCEAN: usize = 4;
    pub(crate) const OVH: usize = 5;
    pub(crate) const HETZNER: usize = 6;
    pub(crate) const NAMECHEAP: usize = 9;
    pub(crate) const GODADDY: usize = 11;
    pub(crate) const HOSTINGER: usize = 14;
    pub(crate) const IONOS: usize = 15;
    pub(crate) const ALIBABA: usize = 16;
    pub(crate) const SEDO: usize = 17;
    pub(crate) const DDOSGUARD: usize = 20;
    pub(crate) const HURRICANE: usize = 23;
    pub(crate) const VERISIGN: usize = 24;
    pub(crate) const NEUSTAR: usize = 25;
}

/// How a DNS operator names its servers.
pub(crate) enum NsPattern {
    /// `{prefix}{n:0w}{suffix}` for n in 1..=count, handed out in pairs.
    Numbered {
        prefix: &'static str,
        width: usize,
        suffix: &'static str,
        count: u32,
    },
    /// Two names from a list under a suffix (Cloudflare-style account pairs).
    Named {
        names: &'static [&'static str],
        suffix: &'static str,
    },
    /// A fixed set of hosts every customer gets.
    Fixed(&'static [&'static str]),
    /// Route 53 style: `ns-{n}.awsdns-{m:02}.{com,net,org}`.
    Aws,
}

/// A DNS hosting operator.
pub(crate) struct DnsOp {
    pub(crate) pattern: NsPattern,
    /// Network its servers are in.
    pub(crate) net: usize,
    /// Share of benign domains using it as third-party DNS.
    pub(crate) weight: u32,
}

const CF_NAMES: &[&str] = &[
    "abby", "adam", "alex", "amber", "anna", "arch", "ben", "bob", "brad", "carl", "cass", "chad",
    "dana", "dave", "dom", "elle", "emma", "eric", "fred", "gina", "hank", "ivy", "jack", "jill",
    "kate", "kevin", "lara", "leo", "lola", "max", "mia", "nash", "nina", "owen", "pam", "rick",
    "rita", "sam", "tess", "vera",
];

pub(crate) const DNS_OPS: &[DnsOp] = &[
    DnsOp {
        /* "GoDaddy DNS" */
        pattern: NsPattern::Numbered {
            prefix: "ns",
            width: 2,
            suffix: ".domaincontrol.com",
            count: 80,
        },
        net: net::GODADDY,
        weight: 0,
    },
    DnsOp {
        /* "Namecheap BasicDNS" */
        pattern: NsPattern::Fixed(&["dns1.registrar-servers.com", "dns2.registrar-servers.com"]),
        net: net::NAMECHEAP,
        weight: 0,
    },
    DnsOp {
        /* "Hover DNS" */ pattern: NsPattern::Fixed(&["ns1.hover.com", "ns2.hover.com"]),
        net: net::AMAZON,
        weight: 0,
    },
    DnsOp {
        /* "Google Domains DNS" */
        pattern: NsPattern::Numbered {
            prefix: "ns-cloud-a",
            width: 1,
            suffix: ".googledomains.com",
            count: 4,
        },
        net: net::GOOGLE,
        weight: 0,
    },
    DnsOp {
        /* "Network Solutions DNS" */
        pattern: NsPattern::Numbered {
            prefix: "ns",
            width: 2,
            suffix: ".worldnic.com",
            count: 40,
        },
        net: net::HURRICANE,
        weight: 0,
    },
    DnsOp {
        /* "PDR DNS" */
        pattern: NsPattern::Numbered {
            prefix: "ns",
            width: 1,
            suffix: ".webhostbox.net",
            count: 8,
        },
        net: net::HOSTINGER,
        weight: 0,
    },
    DnsOp {
        /* "IONOS DNS" */
        pattern: NsPattern::Numbered {
            prefix: "ns10",
            width: 2,
            suffix: ".ui-dns.com",
            count: 60,
        },
        net: net::IONOS,
        weight: 0,
    },
    DnsOp {
        /* "HiChina DNS" */
        pattern: NsPattern::Numbered {
            prefix: "dns",
            width: 1,
            suffix: ".hichina.com",
            count: 30,
        },
        net: net::ALIBABA,
        weight: 0,
    },
    DnsOp {
        /* "Onamae DNS" */
        pattern: NsPattern::Numbered {
            prefix: "dns",
            width: 1,
            suffix: ".onamae.com",
            count: 2,
        },
        net: net::ALIBABA,
        weight: 0,
    },
    DnsOp {
        /* "Hostinger DNS" */
        pattern: NsPattern::Fixed(&["ns1.dns-parking.com", "ns2.dns-parking.com"]),
        net: net::HOSTINGER,
        weight: 0,
    },
    DnsOp {
        /* "NameSilo DNS" */
        pattern: NsPattern::Fixed(&["ns1.dnsowl.com", "ns2.dnsowl.com", "ns3.dnsowl.com"]),
        net: net::DIGITALOCEAN,
        weight: 0,
    },
    DnsOp {
        /* "Porkbun DNS" */
        pattern: NsPattern::Fixed(&[
            "curitiba.ns.porkbun.com",
            "fortaleza.ns.porkbun.com",
            "maceio.ns.porkbun.com",
            "salvador.ns.porkbun.com",
        ]),
        net: net::AMAZON,
        weight: 0,
    },
    DnsOp {
        /* "Dynadot DNS" */
        pattern: NsPattern::Fixed(&["ns1.dyna-ns.net", "ns2.dyna-ns.net"]),
        net: net::GOOGLE,
        weight: 0,
    },
    DnsOp {
        /* "Gandi LiveDNS" */
        pattern: NsPattern::Numbered {
            prefix: "ns-",
            width: 3,
            suffix: ".gandi.net",
            count: 240,
        },
        net: net::OVH,
        weight: 0,
    },
    DnsOp {
        /* "OVH DNS" */
        pattern: NsPattern::Numbered {
            prefix: "dns",
            width: 1,
            suffix: ".ovh.net",
            count: 200,
        },
        net: net::OVH,
        weight: 30,
    },
    DnsOp {
        /* "Cloudflare" */
        pattern: NsPattern::Named {
            names: CF_NAMES,
            suffix: ".ns.cloudflare.com",
        },
        net: net::CLOUDFLARE,
        weight: 330,
    },
    DnsOp {
        /* "eNom DNS" */
        pattern: NsPattern::Numbered {
            prefix: "dns",
            width: 1,
            suffix: ".name-services.com",
            count: 5,
        },
        net: net::AMAZON,
        weight: 0,
    },
    DnsOp {
        /* "RRPproxy DNS" */
        pattern: NsPattern::Numbered {
            prefix: "ns",
            width: 1,
            suffix: ".rrpproxy.net",
            count: 3,
        },
        net: net::HETZNER,
        weight: 0,
    },
    DnsOp {
        /* "MarkMonitor DNS" */
        pattern: NsPattern::Numbered {
            prefix: "ns",
            width: 1,
            suffix: ".markmonitor.com",
            count: 6,
        },
        net: net::AMAZON,
        weight: 0,
    },
    DnsOp {
        /* "Amazon Route 53" */ pattern: NsPattern::Aws,
        net: net::AMAZON,
        weight: 150,
    },
    DnsOp {
        /* "Google Cloud DNS" */
        pattern: NsPattern::Numbered {
            prefix: "ns-cloud-b",
            width: 1,
            suffix: ".googledomains.com",
            count: 4,
        },
        net: net::GOOGLE,
        weight: 40,
    },
    DnsOp {
        /* "Azure DNS" */
        pattern: NsPattern::Fixed(&[
            "ns1-01.azure-dns.com",
            "ns2-01.azure-dns.net",
            "ns3-01.azure-dns.org",
        ]),
        net: net::MICROSOFT,
        weight: 30,
    },
    DnsOp {
        /* "DigitalOcean DNS" */
        pattern: NsPattern::Fixed(&[
            "ns1.digitalocean.com",
            "ns2.digitalocean.com",
            "ns3.digitalocean.com",
        ]),
        net: net::DIGITALOCEAN,
        weight: 30,
    },
    DnsOp {
        /* "Hetzner DNS" */
        pattern: NsPattern::Fixed(&[
            "hydrogen.ns.hetzner.com",
            "oxygen.ns.hetzner.com",
            "helium.ns.hetzner.com",
        ]),
        net: net::HETZNER,
        weight: 25,
    },
    DnsOp {
        /* "DDoS-Guard DNS" */
        pattern: NsPattern::Fixed(&["ns1.ddos-guard.net", "ns2.ddos-guard.net"]),
        net: net::DDOSGUARD,
        weight: 1,
    },
    // Parking services.
    DnsOp {
        /* "Sedo Parking" */
        pattern: NsPattern::Fixed(&["ns1.sedoparking.com", "ns2.sedoparking.com"]),
        net: net::SEDO,
        weight: 0,
    },
    DnsOp {
        /* "Bodis" */ pattern: NsPattern::Fixed(&["ns1.bodis.com", "ns2.bodis.com"]),
        net: net::AMAZON,
        weight: 0,
    },
    DnsOp {
        /* "ParkingCrew" */
        pattern: NsPattern::Fixed(&["ns1.parkingcrew.net", "ns2.parkingcrew.net"]),
        net: net::HETZNER,
        weight: 0,
    },
    DnsOp {
        /* "Above.com" */ pattern: NsPattern::Fixed(&["ns1.above.com", "ns2.above.com"]),
        net: net::AMAZON,
        weight: 0,
    },
    // Sinkhole operators.
    DnsOp {
        /* "Microsoft DCU sinkhole" */
        pattern: NsPattern::Fixed(&[
            "ns1.microsoftinternetsafety.net",
            "ns2.microsoftinternetsafety.net",
        ]),
        net: net::MICROSOFT,
        weight: 0,
    },
    DnsOp {
        /* "Shadowserver sinkhole" */
        pattern: NsPattern::Fixed(&[
            "sc-a.sinkhole.shadowserver.org",
            "sc-b.sinkhole.shadowserver.org",
            "sc-c.sinkhole.shadowserver.org",
        ]),
        net: net::HURRICANE,
        weight: 0,
    },
];

/// DNS operator indices used by name.
pub(crate) mod dns {
    pub(crate) const CLOUDFLARE: usize = 15;
    pub(crate) const DDOSGUARD: usize = 24;
    pub(crate) const PARKING: [usize; 4] = [25, 26, 27, 28];
    pub(crate) const SINKHOLE: [usize; 2] = [29, 30];
}

/// A mail provider: MX hosts seen in passive DNS.
pub(crate) struct MailProvider {
    pub(crate) mx: &'static [&'static str],
    pub(crate) weight: u32,
}

pub(crate) const MAIL: &[MailProvider] = &[
    MailProvider {
        mx: &["aspmx.l.google.com", "alt1.aspmx.l.google.com"],
        weight: 300,
    },
    MailProvider {
        mx: &["{domain-dashed}.mail.protection.outlook.com"],
        weight: 250,
    },
    MailProvider {
        mx: &["mx1.privateemail.com", "mx2.privateemail.com"],
        weight: 60,
    },
    MailProvider {
        mx: &["mx00.ionos.com", "mx01.ionos.com"],
        weight: 40,
    },
    MailProvider {
        mx: &["mx1.zoho.com", "mx2.zoho.com"],
        weight: 50,
    },
    MailProvider {
        mx: &["mx1.mail.ovh.net", "mx2.mail.ovh.net"],
        weight: 30,
    },
    MailProvider {
        mx: &["mailstore1.secureserver.net", "smtp.secureserver.net"],
        weight: 80,
    },
    MailProvider {
        mx: &["mx.{domain}"],
        weight: 60,
    },
];

/// A certificate authority's issuing intermediate.
pub(crate) struct Issuer {
    pub(crate) c: &'static str,
    pub(crate) o: &'static str,
    pub(crate) cn: &'static str,
    pub(crate) days: i64,
    pub(crate) weight: u32,
    pub(crate) abuse_weight: u32,
}

pub(crate) const ISSUERS: &[Issuer] = &[
    Issuer {
        c: "US",
        o: "Let's Encrypt",
        cn: "R11",
        days: 90,
        weight: 300,
        abuse_weight: 500,
    },
    Issuer {
        c: "US",
        o: "Let's Encrypt",
        cn: "E6",
        days: 90,
        weight: 200,
        abuse_weight: 200,
    },
    Issuer {
        c: "US",
        o: "Google Trust Services",
        cn: "WE1",
        days: 90,
        weight: 250,
        abuse_weight: 150,
    },
    Issuer {
        c: "AT",
        o: "ZeroSSL",
        cn: "ZeroSSL RSA Domain Secure Site CA",
        days: 90,
        weight: 40,
        abuse_weight: 120,
    },
    Issuer {
        c: "US",
        o: "Amazon",
        cn: "Amazon RSA 2048 M02",
        days: 395,
        weight: 80,
        abuse_weight: 10,
    },
    Issuer {
        c: "GB",
        o: "Sectigo Limited",
        cn: "Sectigo RSA Domain Validation Secure Server CA",
        days: 365,
        weight: 60,
        abuse_weight: 20,
    },
    Issuer {
        c: "US",
        o: "DigiCert Inc",
        cn: "DigiCert Global G2 TLS RSA SHA256 2020 CA1",
        days: 365,
        weight: 40,
        abuse_weight: 0,
    },
    Issuer {
        c: "US",
        o: "GoDaddy.com, Inc.",
        cn: "Go Daddy Secure Certificate Authority - G2",
        days: 365,
        weight: 30,
        abuse_weight: 0,
    },
];

/// CT logs certstream names as sources.
pub(crate) const CT_LOGS: &[(&str, &str)] = &[
    (
        "Google 'Argon2026h1' log",
        "https://ct.googleapis.com/logs/us1/argon2026h1/",
    ),
    (
        "Google 'Xenon2026h1' log",
        "https://ct.googleapis.com/logs/eu1/xenon2026h1/",
    ),
    (
        "Cloudflare 'Nimbus2026'",
        "https://ct.cloudflare.com/logs/nimbus2026/",
    ),
    (
        "Let's Encrypt 'Oak2026h1'",
        "https://oak.ct.letsencrypt.org/2026h1/",
    ),
    (
        "Sectigo 'Elephant2026h1'",
        "https://elephant2026h1.ct.sectigo.com/",
    ),
];

/// A brand that phishing imitates, with its real domain.
pub(crate) struct Brand {
    pub(crate) key: &'static str,
    pub(crate) domain: &'static str,
    /// Relative popularity as a phishing target.
    pub(crate) weight: u32,
}

pub(crate) const BRANDS: &[Brand] = &[
    Brand {
        key: "paypal",
        domain: "paypal.com",
        weight: 90,
    },
    Brand {
        key: "microsoft",
        domain: "microsoft.com",
        weight: 90,
    },
    Brand {
        key: "office365",
        domain: "office.com",
        weight: 60,
    },
    Brand {
        key: "outlook",
        domain: "outlook.com",
        weight: 40,
    },
    Brand {
        key: "apple",
        domain: "apple.com",
        weight: 60,
    },
    Brand {
        key: "icloud",
        domain: "icloud.com",
        weight: 30,
    },
    Brand {
        key: "amazon",
        domain: "amazon.com",
        weight: 60,
    },
    Brand {
        key: "netflix",
        domain: "netflix.com",
        weight: 50,
    },
    Brand {
        key: "facebook",
        domain: "facebook.com",
        weight: 50,
    },
    Brand {
        key: "instagram",
        domain: "instagram.com",
        weight: 30,
    },
    Brand {
        key: "whatsapp",
        domain: "whatsapp.com",
        weight: 25,
    },
    Brand {
        key: "google",
        domain: "google.com",
        weight: 40,
    },
    Brand {
        key: "chase",
        domain: "chase.com",
        weight: 35,
    },
    Brand {
        key: "wellsfargo",
        domain: "wellsfargo.com",
        weight: 35,
    },
    Brand {
        key: "bankofamerica",
        domain: "bankofamerica.com",
        weight: 30,
    },
    Brand {
        key: "citibank",
        domain: "citi.com",
        weight: 15,
    },
    Brand {
        key: "americanexpress",
        domain: "americanexpress.com",
        weight: 15,
    },
    Brand {
        key: "dhl",
        domain: "dhl.com",
        weight: 40,
    },
    Brand {
        key: "fedex",
        domain: "fedex.com",
        weight: 25,
    },
    Brand {
        key: "usps",
        domain: "usps.com",
        weight: 40,
    },
    Brand {
        key: "royalmail",
        domain: "royalmail.com",
        weight: 15,
    },
    Brand {
        key: "coinbase",
        domain: "coinbase.com",
        weight: 35,
    },
    Brand {
        key: "binance",
        domain: "binance.com",
        weight: 30,
    },
    Brand {
        key: "metamask",
        domain: "metamask.io",
        weight: 30,
    },
    Brand {
        key: "kraken",
        domain: "kraken.com",
        weight: 10,
    },
    Brand {
        key: "steam",
        domain: "steampowered.com",
        weight: 20,
    },
    Brand {
        key: "docusign",
        domain: "docusign.com",
        weight: 25,
    },
    Brand {
        key: "dropbox",
        domain: "dropbox.com",
        weight: 15,
    },
    Brand {
        key: "adobe",
        domain: "adobe.com",
        weight: 15,
    },
    Brand {
        key: "linkedin",
        domain: "linkedin.com",
        weight: 15,
    },
    Brand {
        key: "yahoo",
        domain: "yahoo.com",
        weight: 10,
    },
    Brand {
        key: "att",
        domain: "att.com",
        weight: 15,
    },
    Brand {
        key: "verizon",
        domain: "verizon.com",
        weight: 10,
    },
    Brand {
        key: "hsbc",
        domain: "hsbc.com",
        weight: 15,
    },
    Brand {
        key: "barclays",
        domain: "barclays.co.uk",
        weight: 10,
    },
    Brand {
        key: "santander",
        domain: "santander.com",
        weight: 10,
    },
    Brand {
        key: "laposte",
        domain: "laposte.fr",
        weight: 10,
    },
    Brand {
        key: "ebay",
        domain: "ebay.com",
        weight: 15,
    },
    Brand {
        key: "walmart",
        domain: "walmart.com",
        weight: 10,
    },
    Brand {
        key: "irs",
        domain: "irs.gov",
        weight: 10,
    },
    Brand {
        key: "roblox",
        domain: "roblox.com",
        weight: 10,
    },
    Brand {
        key: "spotify",
        domain: "spotify.com",
        weight: 10,
    },
];
