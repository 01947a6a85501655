//! Usage types: what a certificate is assigned to on a Lync / Skype for Business server
//! (DOMAIN.md §2), with their CLI and wizard names.

use std::fmt;

/// One certificate usage.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum UsageType {
    /// Front End / Standard Edition / Director / Mediation: SIP and MTLS.
    Default,
    /// The internal IIS site.
    WebServicesInternal,
    /// The external web site, published by the reverse proxy.
    WebServicesExternal,
    /// Server-to-server authentication; one certificate for the whole deployment.
    OAuthTokenIssuer,
    /// The Edge internal interface.
    Internal,
    /// Edge: SIP, federation, remote access.
    AccessEdgeExternal,
    /// Edge: web conferencing.
    DataEdgeExternal,
    /// Edge: A/V authentication tokens.
    AudioVideoAuthentication,
    /// Edge: XMPP federation.
    XmppServer,
    /// The reverse proxy's public certificate, which publishes the external web services
    /// and the simple URLs (not bound on a Lync server: certdesk records which one the
    /// reverse proxy serves, and probes it).
    ReverseProxy,
}

/// A usage name that is not one of the ten.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "\"{0}\" is not a usage type: use Default, WebServicesInternal, WebServicesExternal, OAuthTokenIssuer, Internal, AccessEdgeExternal, DataEdgeExternal, AudioVideoAuthentication, XmppServer or ReverseProxy"
)]
pub struct UnknownUsage(pub String);

impl UsageType {
    /// All ten, in the wizard's order.
    pub const ALL: [UsageType; 10] = [
        UsageType::Default,
        UsageType::WebServicesInternal,
        UsageType::WebServicesExternal,
        UsageType::OAuthTokenIssuer,
        UsageType::Internal,
        UsageType::AccessEdgeExternal,
        UsageType::DataEdgeExternal,
        UsageType::AudioVideoAuthentication,
        UsageType::XmppServer,
        UsageType::ReverseProxy,
    ];

    /// The External Edge request covers these three at once.
    pub const EDGE_EXTERNAL: [UsageType; 3] = [
        UsageType::AccessEdgeExternal,
        UsageType::DataEdgeExternal,
        UsageType::AudioVideoAuthentication,
    ];

    /// The CLI name (as the cmdlets spell it).
    pub fn as_str(self) -> &'static str {
        match self {
            UsageType::Default => "Default",
            UsageType::WebServicesInternal => "WebServicesInternal",
            UsageType::WebServicesExternal => "WebServicesExternal",
            UsageType::OAuthTokenIssuer => "OAuthTokenIssuer",
            UsageType::Internal => "Internal",
            UsageType::AccessEdgeExternal => "AccessEdgeExternal",
            UsageType::DataEdgeExternal => "DataEdgeExternal",
            UsageType::AudioVideoAuthentication => "AudioVideoAuthentication",
            UsageType::XmppServer => "XmppServer",
            UsageType::ReverseProxy => "ReverseProxy",
        }
    }

    /// The Certificate Wizard's name.
    pub fn title(self) -> &'static str {
        match self {
            UsageType::Default => "Server default",
            UsageType::WebServicesInternal => "Web services internal",
            UsageType::WebServicesExternal => "Web services external",
            UsageType::OAuthTokenIssuer => "OAuthTokenIssuer",
            UsageType::Internal => "Edge internal",
            UsageType::AccessEdgeExternal => "SIP Access Edge external",
            UsageType::DataEdgeExternal => "Web Conferencing Edge external",
            UsageType::AudioVideoAuthentication => "A/V Edge external",
            UsageType::XmppServer => "XMPP proxy",
            UsageType::ReverseProxy => "Reverse proxy (public web)",
        }
    }

    /// For the usages that are rolled in stages (A/V and OAuth, DOMAIN.md §7): how many
    /// hours before the old certificate expires the new one must take over.
    pub fn roll_margin_hours(self) -> Option<i64> {
        match self {
            UsageType::AudioVideoAuthentication => Some(8),
            UsageType::OAuthTokenIssuer => Some(24),
            _ => None,
        }
    }

    /// Whether the certificate's private key must be exportable (DOMAIN.md §3): every Edge
    /// server of the pool holds the same A/V certificate and key, moved there as a PFX.
    pub fn needs_exportable_key(self) -> bool {
        self == UsageType::AudioVideoAuthentication
    }

    /// Whether any SAN may be a wildcard for this usage (DOMAIN.md §3).
    pub fn allows_wildcard_sans(self) -> bool {
        matches!(
            self,
            UsageType::WebServicesInternal
                | UsageType::WebServicesExternal
                | UsageType::ReverseProxy
                | UsageType::Internal
                | UsageType::AudioVideoAuthentication
        )
    }

    /// Parses a CLI name, case-insensitively.
    pub fn parse(s: &str) -> Result<Self, UnknownUsage> {
        Self::ALL
            .into_iter()
            .find(|u| u.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownUsage(s.trim().to_owned()))
    }

    /// Parses a comma-separated list (`AccessEdgeExternal,DataEdgeExternal`), deduplicated
    /// and in the wizard's order.
    pub fn parse_list(s: &str) -> Result<Vec<Self>, UnknownUsage> {
        let mut out = Vec::new();
        for part in s.split(',').filter(|p| !p.trim().is_empty()) {
            let usage = Self::parse(part)?;
            if !out.contains(&usage) {
                out.push(usage);
            }
        }
        if out.is_empty() {
            return Err(UnknownUsage(s.to_owned()));
        }
        out.sort();
        Ok(out)
    }
}

impl fmt::Display for UsageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
