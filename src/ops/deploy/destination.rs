//! Where a deploy target's files go: `[USER@HOST[:PORT]:]DIR`, a directory on another host
//! reached over SSH, or a local one without `USER@HOST`. The user and host are checked so
//! that neither can be read by `ssh` as an option.

use std::path::PathBuf;

/// A parsed destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A directory of this machine (absolute).
    Local(PathBuf),
    /// A directory of another host, over SSH.
    Remote(Remote),
}

/// A directory on another host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    /// The SSH user.
    pub user: String,
    /// The host name or address (an IPv6 address without brackets).
    pub host: String,
    /// The SSH port (22 unless given).
    pub port: u16,
    /// The directory there (relative: to the user's home).
    pub dir: String,
}

impl Remote {
    /// `user@host`, as `ssh` takes it (an IPv6 address as it is).
    pub fn login(&self) -> String {
        format!("{}@{}", self.user, self.host)
    }

    /// `host:port`, as sentences name it.
    pub fn label(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Why a destination cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DestinationError {
    /// Not `[USER@HOST[:PORT]:]DIR`.
    #[error("\"{0}\" is not a destination: give DIR, or USER@HOST[:PORT]:DIR")]
    Malformed(String),
    /// A local directory that does not exist.
    #[error("the folder {0} does not exist")]
    NoFolder(String),
}

fn plain(part: &str) -> bool {
    !part.is_empty()
        && !part.starts_with('-')
        && part
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// Parses a destination: remote when it starts with `USER@HOST`, local otherwise (made
/// absolute against the current directory, and required to exist).
pub fn parse(text: &str) -> Result<Destination, DestinationError> {
    let bad = || DestinationError::Malformed(text.to_owned());
    if text.is_empty() || text.chars().any(crate::text::is_control) {
        return Err(bad());
    }
    let remote = text
        .split_once('@')
        .filter(|(user, _)| !user.contains(['/', ':']));
    let Some((user, rest)) = remote else {
        let path = std::path::absolute(text).map_err(|_| bad())?;
        if !path.is_dir() {
            return Err(DestinationError::NoFolder(path.display().to_string()));
        }
        return Ok(Destination::Local(path));
    };
    let (host, rest) = match rest.strip_prefix('[') {
        Some(v6) => {
            let (host, rest) = v6.split_once("]:").ok_or_else(bad)?;
            host.parse::<std::net::Ipv6Addr>().map_err(|_| bad())?;
            (host, rest)
        }
        None => rest.split_once(':').ok_or_else(bad)?,
    };
    let (port, dir) = match rest.split_once(':') {
        Some((port, dir)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
            (port.parse::<u16>().map_err(|_| bad())?, dir)
        }
        _ => (22, rest),
    };
    let host_ok = plain(host) || host.parse::<std::net::Ipv6Addr>().is_ok();
    if !plain(user) || !host_ok || port == 0 || dir.is_empty() {
        return Err(bad());
    }
    Ok(Destination::Remote(Remote {
        user: user.to_owned(),
        host: host.to_owned(),
        port,
        dir: dir.to_owned(),
    }))
}

#[cfg(test)]
mod tests {
    use super::{Destination, parse};

    #[test]
    fn remote_forms() {
        let Ok(Destination::Remote(r)) = parse("deploy@web1.example.net:2222:/etc/ssl/site") else {
            panic!("remote");
        };
        assert_eq!(
            (r.user.as_str(), r.host.as_str(), r.port, r.dir.as_str()),
            ("deploy", "web1.example.net", 2222, "/etc/ssl/site")
        );
        let Ok(Destination::Remote(r)) = parse("root@[::1]:certs") else {
            panic!("v6");
        };
        assert_eq!(
            (r.host.as_str(), r.port, r.dir.as_str()),
            ("::1", 22, "certs")
        );
        assert_eq!(r.label(), "[::1]:22");
    }

    #[test]
    fn refuses_option_like_and_malformed() {
        for bad in [
            "-oProxyCommand=x@host:/d",
            "user@-oProxyCommand=x:/d",
            "user@host",
            "user@host:",
            "user@host:0:/d",
            "us er@host:/d",
            "user@host:/d\n",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse("/no/such/folder/here").is_err());
        assert!(matches!(parse("/"), Ok(Destination::Local(_))));
    }
}
