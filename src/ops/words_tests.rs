//! Each outcome's sentence, word for word: the command line and the window print these.

use std::time::Duration;

use super::*;
use crate::ca::acme::TxtRecord;
use crate::pki::cert::CertSummary;
use crate::store::{DeployFormat, DeploySource, Location, Logical, TargetSettings};

fn request(thumbprint: Option<&str>, reference: Option<&str>) -> RequestOutcome {
    RequestOutcome {
        request_id: thumbprint.is_none().then_some(7),
        ca_reference: reference.map(str::to_owned),
        dns_records: Vec::new(),
        status: if thumbprint.is_some() {
            RequestStatus::Issued
        } else {
            RequestStatus::Pending
        },
        csr_file: None,
        thumbprint: thumbprint.map(str::to_owned),
        friendly_name: "edge".into(),
        csr_pem: String::new(),
        key_generation: Duration::ZERO,
        warnings: Vec::new(),
        untrusted_root: None,
        trusted_root: None,
    }
}

#[test]
fn import() {
    let mut report = ImportReport {
        imported: vec![1, 2, 3],
        paired: vec!["A".into()],
        ..ImportReport::default()
    };
    assert_eq!(
        report.to_string(),
        "3 imported, 0 already present, 1 key attached"
    );
    report.imported.clear();
    report.paired.clear();
    report.already_present = vec!["A".into(), "B".into()];
    assert_eq!(
        report.to_string(),
        "0 imported, 2 already present, 0 keys attached"
    );
    let skipped = ImportReport {
        skipped: vec![crate::ops::import::Skipped {
            thumbprint: "R".into(),
            reason: crate::ops::import::SkipReason::UntrustedRoot,
        }],
        ..ImportReport::default()
    };
    assert_eq!(
        skipped.to_string(),
        "Nothing imported: the root CA was not added to Trusted Roots"
    );
}

#[test]
fn export() {
    let mut outcome = ExportOutcome {
        file: "edge.pfx".into(),
        format: "pfx",
        certificates: vec!["A".into(), "B".into()],
        with_key: true,
        key_deleted: true,
    };
    assert_eq!(
        outcome.to_string(),
        "Exported 2 certificates and the private key to edge.pfx; the private key was deleted from the store"
    );
    outcome.certificates.pop();
    outcome.with_key = false;
    outcome.key_deleted = false;
    assert_eq!(outcome.to_string(), "Exported 1 certificate to edge.pfx");
}

#[test]
fn removed() {
    let summary = CertSummary {
        thumbprint: "AB12".into(),
        sha256: String::new(),
        version: 3,
        subject: "CN=edge.contoso.com".into(),
        issuer: "CN=CA".into(),
        subject_cn: Some("edge.contoso.com".into()),
        issuer_cn: Some("CA".into()),
        serial: "01".into(),
        not_before: 0,
        not_after: 0,
        sans: Vec::new(),
        eku: Vec::new(),
        key_usage: Vec::new(),
        ca: None,
        path_len: None,
        key: "RSA".into(),
        key_bits: 2048,
        signature: String::new(),
        ski: None,
        aki: None,
        self_signed: false,
        public_key_hash: String::new(),
        unknown_critical: Vec::new(),
    };
    let cert = StoredCert {
        id: 1,
        location: Location::Computer,
        logical: Logical::Personal,
        summary,
        friendly_name: String::new(),
        added: 0,
        key: None,
        issuing_ca: None,
        system: false,
    };
    assert_eq!(
        Removed(&cert).to_string(),
        "Removed edge.contoso.com (AB12)"
    );
}

#[test]
fn assign_and_unassign() {
    let row = |staged: Option<&str>| Assignment {
        usage: UsageType::Internal,
        thumbprint: "AB12".into(),
        assigned: 0,
        staged_thumbprint: staged.map(str::to_owned),
        effective_date: staged.map(|_| 86_400),
        previous_thumbprint: None,
    };
    let outcome = AssignOutcome {
        rows: vec![row(None), row(Some("CD34"))],
        warnings: Vec::new(),
    };
    assert_eq!(
        outcome.to_string(),
        "Internal: AB12 assigned; Internal: CD34 staged, effective 1970-01-02T00:00:00Z"
    );
    let unassigned = |previous| {
        Unassigned {
            usage: UsageType::Internal,
            previous,
        }
        .to_string()
    };
    assert_eq!(unassigned(false), "Internal: assignment removed");
    assert_eq!(unassigned(true), "Internal: previous certificate removed");
}

#[test]
fn request_each_way() {
    assert_eq!(
        request(Some("AB12"), None).to_string(),
        "Issued AB12 \"edge\" in Personal"
    );
    assert_eq!(
        request(None, Some("44")).to_string(),
        "The CA holds request 7 \"edge\" for approval (its request 44)"
    );
    let mut dns = request(None, Some("https://ca/order/1"));
    dns.dns_records.push(TxtRecord {
        name: "_acme-challenge.edge.".into(),
        value: "x".into(),
    });
    assert_eq!(
        dns.to_string(),
        "Request 7 \"edge\" waits for its DNS-01 records"
    );
    let mut delayed = request(None, None);
    assert_eq!(
        delayed.to_string(),
        "Request 7 \"edge\" saved; its CSR is kept in the store"
    );
    delayed.csr_file = Some("edge.csr".into());
    assert_eq!(
        delayed.to_string(),
        "Request 7 \"edge\" saved; its CSR is in edge.csr"
    );
}

#[test]
fn renew() {
    let outcome = RenewOutcome {
        request: request(Some("CD34"), None),
        renews: "AB12".into(),
        ca: "builtin".into(),
        usages: Vec::new(),
    };
    assert_eq!(
        outcome.to_string(),
        "Issued CD34 \"edge\" in Personal (renewing AB12 through the CA builtin)"
    );
}

#[test]
fn trusted_root() {
    let root = ChainRoot {
        subject: "CN=Root".into(),
        thumbprint: "EF56".into(),
        der: Vec::new(),
    };
    assert_eq!(
        TrustedRoot(&root).to_string(),
        "The root CA CN=Root (EF56) is now in Trusted Roots"
    );
}

#[test]
fn retrieved() {
    assert_eq!(
        Retrieved(&[]).to_string(),
        "No request is held by an online CA"
    );
    let polled = |status| Polled {
        request_id: 1,
        ca: "corp".into(),
        status,
        thumbprint: None,
        friendly_name: String::new(),
        message: None,
    };
    let all = [
        polled(RequestStatus::Issued),
        polled(RequestStatus::Pending),
        polled(RequestStatus::Denied),
        polled(RequestStatus::Failed),
    ];
    assert_eq!(
        Retrieved(&all).to_string(),
        "Retrieved: 1 issued, 1 still pending, 2 denied or failed"
    );
}

#[test]
fn tracking() {
    let tracking = |same_key| {
        Tracking {
            thumbprint: "AB12",
            same_key,
        }
        .to_string()
    };
    assert_eq!(tracking(false), "AB12 is tracked for renewal");
    assert_eq!(
        tracking(true),
        "AB12 is tracked for renewal (renewed with the same key)"
    );
    assert_eq!(Untracked("AB12").to_string(), "AB12 is no longer tracked");
}

#[test]
fn deploy() {
    let mut report = RunReport {
        target: "web".into(),
        destination: "/srv".into(),
        thumbprint: None,
        files: Vec::new(),
        ok: true,
        proof: None,
        rolled_back: false,
        message: "deployed AB12".into(),
        notification: None,
        error: None,
    };
    assert_eq!(report.to_string(), "web: deployed AB12");
    report.notification = Some("sent by mail".into());
    assert_eq!(
        report.to_string(),
        "web: deployed AB12 (notification sent by mail)"
    );
    let target = DeployTarget {
        settings: TargetSettings {
            name: "web".into(),
            source: DeploySource::Usage(UsageType::Internal),
            destination: "/srv/tls".into(),
            format: DeployFormat::Pem,
            reload: None,
            probe: None,
            identity: None,
            known_hosts: None,
            proof_seconds: 0,
        },
        has_password: false,
        added: 0,
        last: None,
    };
    let saved = |replaced| {
        TargetSaved {
            target: &target,
            replaced,
        }
        .to_string()
    };
    assert_eq!(saved(false), "Deploy target web added (pem to /srv/tls)");
    assert_eq!(saved(true), "Deploy target web changed (pem to /srv/tls)");
    assert_eq!(
        TargetRemoved("web").to_string(),
        "Deploy target web removed"
    );
}

#[test]
fn ca_reached() {
    let reached = Reached {
        account: None,
        signed_in: None,
        detail: "its directory answers".into(),
    };
    assert_eq!(
        CaReached {
            name: "le",
            reached: &reached
        }
        .to_string(),
        "le is reachable; its directory answers"
    );
}

#[test]
fn pool_probe_revocation_roots() {
    let pool = PoolReport {
        pool: "edgepool.contoso.net".into(),
        members: Vec::new(),
        consistent: true,
        verdict: "every member serves the same certificate and key".into(),
        unreached: Vec::new(),
        usage: UsageType::Internal,
        assigned_here: None,
        problems: Vec::new(),
    };
    assert_eq!(
        pool.to_string(),
        "Pool edgepool.contoso.net: every member serves the same certificate and key"
    );
    let target = crate::net::probe::Target::parse("edge", 443).expect("a target");
    let report = |problems: &[&str]| {
        let mut report = ProbeReport::failed(&target, String::new());
        report.problems = problems.iter().map(|p| (*p).to_owned()).collect();
        report
    };
    assert_eq!(
        Probed(&[report(&[])]).to_string(),
        "The server serves a certificate without problems"
    );
    assert_eq!(
        Probed(&[report(&["expired"])]).to_string(),
        "The server serves a certificate with problems"
    );
    assert_eq!(
        Probed(&[report(&["expired"]), report(&["expired"])]).to_string(),
        "2 servers serve certificates with problems"
    );
    let link = |revocation| Link {
        thumbprint: "AB12".into(),
        issued_to: "edge".into(),
        revocation,
    };
    assert_eq!(
        PathRevocation(&[link(Revocation::Unchecked)]).to_string(),
        "No certificate of the path is revoked"
    );
    assert_eq!(
        PathRevocation(&[link(Revocation::Unknown {
            warning: "no answer".into()
        })])
        .to_string(),
        "The revocation of the path is not fully known"
    );
    assert_eq!(
        PathRevocation(&[link(Revocation::Revoked {
            date: String::new(),
            reason: String::new(),
            source: String::new(),
        })])
        .to_string(),
        "A certificate of the path is revoked"
    );
    assert_eq!(
        SystemRoots(true).to_string(),
        "The operating system's roots are trusted in this store"
    );
    assert_eq!(
        SystemRoots(false).to_string(),
        "The operating system's roots are no longer trusted in this store"
    );
}
