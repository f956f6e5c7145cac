//! TLS certificate capture: a handshake with SNI that accepts any chain
//! (it records, it does not judge: a phishing site's self-signed
//! certificate is evidence too). The handshake signature is still checked
//! against the presented key, so the chain is the one the server holds.

use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use crate::error::{LookupError, Result};

/// Accepts every chain; checks handshake signatures.
#[derive(Debug)]
struct Recorder {
    algs: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algs.supported_schemes()
    }
}

/// A client config that records any chain, on the ring provider.
pub(crate) fn client_config() -> Result<Arc<rustls::ClientConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let algs = provider.signature_verification_algorithms;
    let cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| LookupError::Config(format!("tls: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Recorder { algs }))
        .with_no_client_auth();
    Ok(Arc::new(cfg))
}

/// The fields of a certificate Scry keeps.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CertInfo {
    /// SHA-256 of the DER, lower-case hex.
    pub sha256: String,
    /// Subject (RFC 4514 string).
    pub subject: String,
    /// Subject common name.
    pub subject_cn: Option<String>,
    /// Issuer (RFC 4514 string).
    pub issuer: String,
    /// Issuer organisation and common name, as CT ingest names issuers.
    pub issuer_name: Option<String>,
    /// DNS names of the subjectAltName extension, lower case.
    pub alt_names: Vec<String>,
    /// notBefore (epoch seconds).
    pub not_before: i64,
    /// notAfter (epoch seconds).
    pub not_after: i64,
}

/// Most SANs kept from one certificate.
const MAX_SANS: usize = 1000;

/// Decodes the fields of a DER certificate.
pub fn cert_info(der: &[u8]) -> Result<CertInfo> {
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| LookupError::Tls {
        server: String::new(),
        message: format!("certificate does not decode: {e}"),
    })?;
    let cn = |name: &x509_parser::x509::X509Name<'_>| {
        name.iter_common_name()
            .next()
            .and_then(|a| a.as_str().ok())
            .map(str::to_string)
    };
    let subject_cn = cn(cert.subject());
    let issuer_cn = cn(cert.issuer());
    let issuer_o = cert
        .issuer()
        .iter_organization()
        .next()
        .and_then(|a| a.as_str().ok())
        .map(str::to_string);
    let issuer_name = match (issuer_o, issuer_cn) {
        (Some(o), Some(cn)) => Some(format!("{o} {cn}")),
        (o, cn) => o.or(cn),
    };
    let mut alt_names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for g in san.value.general_names.iter().take(MAX_SANS) {
            if let GeneralName::DNSName(n) = g {
                alt_names.push(n.trim().trim_end_matches('.').to_ascii_lowercase());
            }
        }
    }
    alt_names.sort();
    alt_names.dedup();
    Ok(CertInfo {
        sha256: hex(&Sha256::digest(der)),
        subject: cert.subject().to_string(),
        subject_cn,
        issuer: cert.issuer().to_string(),
        issuer_name,
        alt_names,
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
    })
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The chain a server presents for `name` at `ip:port`, leaf first.
pub(crate) fn fetch_chain(
    config: &Arc<rustls::ClientConfig>,
    name: &str,
    ip: IpAddr,
    port: u16,
    timeout: Duration,
) -> Result<Vec<Vec<u8>>> {
    let server = format!("{name}@{}", SocketAddr::new(ip, port));
    let terr = |message: String| LookupError::Tls {
        server: server.clone(),
        message,
    };
    let sni =
        ServerName::try_from(name.to_string()).map_err(|e| terr(format!("server name: {e}")))?;
    let addr = SocketAddr::new(ip, port);
    let mut sock =
        TcpStream::connect_timeout(&addr, timeout).map_err(|source| LookupError::Io {
            server: server.clone(),
            source,
        })?;
    let _ = sock.set_read_timeout(Some(timeout));
    let _ = sock.set_write_timeout(Some(timeout));
    let mut conn =
        rustls::ClientConnection::new(config.clone(), sni).map_err(|e| terr(e.to_string()))?;
    let started = Instant::now();
    while conn.is_handshaking() {
        if started.elapsed() > timeout {
            return Err(terr(format!("handshake not done in {timeout:?}")));
        }
        conn.complete_io(&mut sock)
            .map_err(|e| terr(format!("handshake: {e}")))?;
    }
    let chain: Vec<Vec<u8>> = conn
        .peer_certificates()
        .map(|c| c.iter().take(10).map(|d| d.as_ref().to_vec()).collect())
        .unwrap_or_default();
    conn.send_close_notify();
    let _ = conn.complete_io(&mut sock);
    let _ = sock.flush();
    if chain.is_empty() {
        return Err(terr("no certificate presented".into()));
    }
    Ok(chain)
}
