//! Host tests: validation messages, the real content files in `www/statement/`, and the diff.

use super::*;

const VALID: &str = include_str!("../testdata/statement/valid.json");
const NB: &str = include_str!("../../../www/statement/nb.json");
const NN: &str = include_str!("../../../www/statement/nn.json");
const EN: &str = include_str!("../../../www/statement/en.json");
const NB_2025: &str = include_str!("../../../www/statement/revisions/2025-06-01/nb.json");
const NN_2025: &str = include_str!("../../../www/statement/revisions/2025-06-01/nn.json");
const EN_2025: &str = include_str!("../../../www/statement/revisions/2025-06-01/en.json");

/// `base` with `from` (which must occur exactly once) replaced by `to`.
fn edit(base: &str, from: &str, to: &str) -> String {
    assert_eq!(base.matches(from).count(), 1, "fixture edit {from:?} must match exactly once");
    base.replacen(from, to, 1)
}

fn error(text: &str) -> String {
    Statement::parse(text).expect_err("should be refused").to_string()
}

fn parse(text: &str) -> Statement {
    Statement::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

/// A word diff as text: `[-deleted-]`, `{+inserted+}`, `*emphasis*`, `<link text|href>`.
fn show(runs: &[DiffRun]) -> String {
    let mut out = String::new();
    for run in runs {
        let text = match run.inline() {
            Inline::Text(t) => t.clone(),
            Inline::Emphasis(t) => format!("*{t}*"),
            Inline::Link { text, href } => format!("<{text}|{href}>"),
        };
        match run {
            DiffRun::Same(_) => out.push_str(&text),
            DiffRun::Deleted(_) => out.push_str(&format!("[-{text}-]")),
            DiffRun::Inserted(_) => out.push_str(&format!("{{+{text}+}}")),
        }
    }
    out
}

fn plain(runs: &[Inline]) -> String {
    runs.iter().map(Inline::text).collect()
}

/// All visible text of a statement, for checking that facts are covered.
fn full_text(s: &Statement) -> String {
    let mut out = format!("{}\n{}\n", s.title, plain(&s.intro));
    for section in &s.sections {
        out.push_str(&section.heading);
        out.push('\n');
        for block in &section.blocks {
            match block {
                Block::Paragraph(runs) => out.push_str(&plain(runs)),
                Block::List(items) => items.iter().for_each(|i| {
                    out.push_str(&plain(i));
                    out.push('\n');
                }),
                Block::Contact(c) => {
                    out.push_str(&c.organisation);
                    out.push(' ');
                    out.push_str(c.email.as_deref().unwrap_or(""));
                }
                Block::CookieDeclaration => {}
            }
            out.push('\n');
        }
    }
    out
}

fn hrefs(s: &Statement) -> Vec<&str> {
    fn collect<'a>(runs: &'a [Inline], out: &mut Vec<&'a str>) {
        for run in runs {
            if let Inline::Link { href, .. } = run {
                out.push(href.as_str());
            }
        }
    }
    let mut out = Vec::new();
    collect(&s.intro, &mut out);
    for block in s.sections.iter().flat_map(|s| &s.blocks) {
        match block {
            Block::Paragraph(runs) => collect(runs, &mut out),
            Block::List(items) => items.iter().for_each(|i| collect(i, &mut out)),
            Block::Contact(_) | Block::CookieDeclaration => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Parsing and validation

#[test]
fn parses_every_block_and_run_kind() {
    let s = parse(VALID);
    assert_eq!(s.title, "Personvernerklæring");
    assert_eq!(
        (s.revision.as_str(), s.effective_date.as_str(), s.language.as_str()),
        ("2026-11-01", "2026-11-01", "nb")
    );
    assert_eq!(
        s.intro,
        [
            Inline::Text("Slik behandler vi ".into()),
            Inline::Emphasis("dine".into()),
            Inline::Text(" opplysninger. Se ".into()),
            Inline::Link { text: "kontakt".into(), href: "#kontakt".into() },
            Inline::Text(".".into()),
        ]
    );
    assert_eq!(s.section_ids().collect::<Vec<_>>(), ["behandlingsansvarlig", "lagringstid", "kontakt", "utlevering"]);
    let contact = &s.section("behandlingsansvarlig").unwrap().blocks[1];
    assert_eq!(
        *contact,
        Block::Contact(ContactBlock {
            organisation: "Serviteur AS".into(),
            address: vec!["Eksempelveien 1".into(), "0000 Demo".into()],
            email: Some("post@serviteur.no".into()),
            phone: Some("+47 00 00 00 00".into()),
            url: Some("https://www.serviteur.no/".into()),
        })
    );
    assert_eq!(contact.kind(), "contact");
    let Block::List(items) = &s.section("utlevering").unwrap().blocks[0] else { panic!("list expected") };
    assert_eq!(items.len(), 3);
    assert_eq!(plain(&items[2]), "Myndigheter når loven krever det.");
    let declaration = &s.section("behandlingsansvarlig").unwrap().blocks[2];
    assert_eq!((declaration, declaration.kind()), (&Block::CookieDeclaration, "cookieDeclaration"));
    assert!(s.section("mangler").is_none());
}

#[test]
fn malformed_json_reports_the_offset() {
    assert_eq!(error(r#"{"title": }"#), "statement: not valid JSON: unexpected character at byte 10");
    assert_eq!(error(""), "statement: not valid JSON: unexpected end of input at byte 0");
    assert_eq!(
        Statement::parse("[1,]").unwrap_err().kind,
        ErrorKind::Json(json::JsonError { offset: 3, reason: json::Syntax::UnexpectedCharacter })
    );
}

#[test]
fn oversized_document_is_refused_before_parsing() {
    let huge = " ".repeat(MAX_DOCUMENT_BYTES + 1);
    assert_eq!(error(&huge), "statement: document is 524289 bytes, more than the limit of 524288");
}

#[test]
fn missing_and_ill_typed_fields_name_the_path() {
    assert_eq!(error("[]"), "statement: expected an object with title, revision, effective_date, language, intro and sections, found an array");
    assert_eq!(
        error(&edit(VALID, r#""title": "Personvernerklæring","#, "")),
        "title: missing; expected a non-empty string"
    );
    assert_eq!(
        error(&edit(VALID, r#""title": "Personvernerklæring""#, r#""title": 5"#)),
        "title: expected a non-empty string, found a number"
    );
    assert_eq!(
        error(&edit(VALID, r#"["Myndigheter når loven krever det."]"#, r#""Myndigheter når loven krever det.""#)),
        "sections[3].blocks[0].items[2]: expected an array of inline runs, found a string"
    );
    assert_eq!(
        error(&edit(VALID, r#""heading": "Kontakt","#, "")),
        "sections[2].heading: missing; expected a non-empty string"
    );
    assert_eq!(
        error(&edit(VALID, r#""id": "kontakt","#, r#""id": "kontakt", "heding": "x","#)),
        r#"sections[2]: unknown field "heding" (allowed: id, heading, blocks)"#
    );
    assert_eq!(
        error(&edit(VALID, r#""sections": ["#, r#""sections": [7, "#)),
        "sections[0]: expected a section object with id, heading and blocks, found a number"
    );
    assert_eq!(
        error(&edit(VALID, r#"{ "type": "paragraph", "text": ["Serviteur AS er behandlingsansvarlig."] }"#, "null")),
        "sections[0].blocks[0]: expected a block object with a \"type\", found null"
    );
    assert_eq!(
        error(&edit(
            VALID,
            r#""type": "paragraph", "text": ["Serviteur AS er behandlingsansvarlig."]"#,
            r#""text": ["x"]"#
        )),
        r#"sections[0].blocks[0].type: missing; expected "paragraph", "list", "contact" or "cookieDeclaration""#
    );
    assert_eq!(
        error(&edit(VALID, r#"{ "em": "dine" }"#, r#"{ "text": "dine" }"#)),
        r#"intro[1]: unknown field "text" (allowed: em, or link and href)"#
    );
    assert_eq!(error(&edit(VALID, r#"{ "em": "dine" }"#, "{}")), r#"intro[1]: missing; expected "em" or "link""#);
    assert_eq!(
        error(&edit(VALID, r#"{ "em": "dine" }"#, "true")),
        r#"intro[1]: expected an inline run (a string, {"em": …} or {"link": …, "href": …}), found a boolean"#
    );
    assert_eq!(
        error(&edit(VALID, r#"{ "link": "oss", "href": "tel:+4700000000" }"#, r#"{ "link": "oss" }"#)),
        "sections[2].blocks[0].text[3].href: missing; expected a link target string"
    );
}

#[test]
fn unknown_block_types_are_refused() {
    assert_eq!(
        error(&edit(VALID, r#""type": "list""#, r#""type": "table""#)),
        r#"sections[3].blocks[0].type: unknown block type "table"; expected "paragraph", "list", "contact" or "cookieDeclaration""#
    );
    assert_eq!(
        error(&edit(VALID, r#""type": "list", "items""#, r#""type": "paragraph", "items""#)),
        r#"sections[3].blocks[0]: unknown field "items" (allowed: type, text)"#
    );
}

#[test]
fn the_cookie_declaration_block_has_no_fields_and_comes_once() {
    let declaration = r#"{ "type": "cookieDeclaration" }"#;
    assert_eq!(
        error(&edit(VALID, declaration, r#"{ "type": "cookieDeclaration", "text": ["x"] }"#)),
        r#"sections[0].blocks[2]: unknown field "text" (allowed: type)"#
    );
    let twice =
        edit(VALID, r#"{ "type": "list", "items""#, r#"{ "type": "cookieDeclaration" }, { "type": "list", "items""#);
    assert_eq!(
        error(&twice),
        r#"sections[3].blocks[0]: a second "cookieDeclaration" block; the statement already has one at sections[0].blocks[2]"#
    );
}

#[test]
fn empty_headings_texts_and_arrays_are_refused() {
    assert_eq!(
        error(&edit(VALID, r#""heading": "Kontakt""#, r#""heading": "   ""#)),
        "sections[2].heading: expected a non-empty string, found a blank string"
    );
    assert_eq!(
        error(&edit(VALID, r#""title": "Personvernerklæring""#, r#""title": """#)),
        "title: expected a non-empty string, found an empty string"
    );
    assert_eq!(
        error(&edit(VALID, r#""text": ["Regnskapsopplysninger lagrer vi i fem år."]"#, r#""text": []"#)),
        "sections[1].blocks[0].text: expected an array of inline runs, found an empty array"
    );
    assert_eq!(
        error(&edit(VALID, r#""text": ["Regnskapsopplysninger lagrer vi i fem år."]"#, r#""text": [" ", ""]"#)),
        "sections[1].blocks[0].text[1]: expected a non-empty string, found an empty string"
    );
    assert_eq!(
        error(&edit(VALID, r#""text": ["Regnskapsopplysninger lagrer vi i fem år."]"#, r#""text": [" ", " "]"#)),
        "sections[1].blocks[0].text: expected inline runs with some text, found only whitespace"
    );
    assert_eq!(
        error(&edit(VALID, r#"{ "link": "oss", "href""#, r#"{ "link": " ", "href""#)),
        "sections[2].blocks[0].text[3].link: expected a non-empty string, found a blank string"
    );
    let no_sections = r#"{"title": "T", "revision": "1", "effective_date": "2026-01-01", "language": "nb", "intro": ["x"], "sections": []}"#;
    assert_eq!(error(no_sections), "sections: expected an array of sections, found an empty array");
}

#[test]
fn overlong_texts_and_too_many_elements_are_refused() {
    let long_heading = "x".repeat(MAX_SHORT_TEXT + 1);
    assert_eq!(
        error(&edit(VALID, r#""heading": "Kontakt""#, &format!(r#""heading": "{long_heading}""#))),
        "sections[2].heading: text is 201 characters long; the limit is 200"
    );
    // Characters, not bytes: 200 × "ø" is 400 bytes and still fine.
    assert!(Statement::parse(&edit(VALID, r#""heading": "Kontakt""#, &format!(r#""heading": "{}""#, "ø".repeat(200))))
        .is_ok());
    let long_run = "y".repeat(MAX_TEXT + 1);
    assert_eq!(
        error(&edit(VALID, r#"["Frakt og IT-drift."]"#, &format!(r#"["{long_run}"]"#))),
        "sections[3].blocks[0].items[0][0]: text is 4001 characters long; the limit is 4000"
    );
    let many_items = vec![r#"["punkt"]"#; MAX_ITEMS + 1].join(",");
    assert_eq!(
        error(&edit(VALID, r#"["Frakt og IT-drift."],"#, &format!("{many_items},"))),
        "sections[3].blocks[0].items: 103 items; the limit is 100"
    );
    let long_href = format!("https://example.no/{}", "a".repeat(MAX_HREF));
    assert_eq!(
        error(&edit(VALID, r#""href": "https://www.datatilsynet.no/""#, &format!(r#""href": "{long_href}""#))),
        "sections[2].blocks[0].text[5].href: text is 2067 characters long; the limit is 2048"
    );
}

#[test]
fn section_ids_must_be_well_formed_and_unique() {
    for bad in ["Kontakt", "kontakt oss", "kontakt_oss", "-kontakt", "kontakt-", "", "æøå"] {
        let text = edit(VALID, r#""id": "kontakt""#, &format!(r#""id": "{bad}""#));
        let text = text.replace(r##""href": "#kontakt""##, r##""href": "#lagringstid""##);
        assert_eq!(Statement::parse(&text).unwrap_err().kind, ErrorKind::BadSectionId(bad.into()), "{bad:?}");
    }
    let text = edit(VALID, r#""id": "kontakt""#, r#""id": "Kontakt Oss""#).replace("#kontakt", "#lagringstid");
    assert_eq!(
        error(&text),
        "sections[2].id: expected a section id of 1-64 characters a-z, 0-9 and '-' (not starting or ending with '-'), found \"Kontakt Oss\""
    );
    assert_eq!(
        error(&edit(VALID, r#""id": "utlevering""#, r#""id": "lagringstid""#)),
        r#"sections[3].id: duplicate section id "lagringstid" (already used by sections[1])"#
    );
    assert_eq!(
        error(&edit(VALID, r#""id": "kontakt","#, r#""id": 3,"#)),
        "sections[2].id: expected a section id string, found a number"
    );
    assert!(is_section_id("utenfor-eos") && is_section_id("a") && is_section_id(&"a".repeat(64)));
    assert!(!is_section_id(&"a".repeat(65)));
}

#[test]
fn dates_revisions_and_languages_are_checked() {
    let date = |d: &str| {
        Statement::parse(&edit(VALID, r#""effective_date": "2026-11-01""#, &format!(r#""effective_date": "{d}""#)))
    };
    for bad in [
        "2026-13-01",
        "2026-02-29",
        "2026-04-31",
        "2026-00-10",
        "2026-01-00",
        "26-11-01",
        "2026/11/01",
        "2026-1-01",
        "2026-11-01T00:00",
        "０２０２-11-01",
    ] {
        assert_eq!(date(bad).unwrap_err().kind, ErrorKind::BadDate(bad.into()), "{bad:?}");
    }
    for good in ["2024-02-29", "2000-02-29", "2026-12-31", "2025-06-01"] {
        assert!(date(good).is_ok(), "{good:?}");
    }
    assert_eq!(
        date("1900-02-29").unwrap_err().to_string(),
        r#"effective_date: expected a date as YYYY-MM-DD, found "1900-02-29""#
    );

    let revision =
        |r: &str| Statement::parse(&edit(VALID, r#""revision": "2026-11-01""#, &format!(r#""revision": "{r}""#)));
    assert_eq!(
        revision("../nb").unwrap_err().to_string(),
        r#"revision: expected a revision id of 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-', not starting with '.' (e.g. "2026-11-01"), found "../nb""#
    );
    for bad in ["..", ".hidden", "2026 11", "a/b", "", "x?y"] {
        assert_eq!(revision(bad).unwrap_err().kind, ErrorKind::BadRevision(bad.into()), "{bad:?}");
    }
    assert!(revision("v2.1_final-B").is_ok());

    let language = |l: &str| Statement::parse(&edit(VALID, r#""language": "nb""#, &format!(r#""language": "{l}""#)));
    assert_eq!(
        language("NO_nb").unwrap_err().to_string(),
        r#"language: expected a language tag such as "nb" or "en-GB", found "NO_nb""#
    );
    for bad in ["", "n", "norsk", "nb-", "NB", "nb-NO-"] {
        assert_eq!(language(bad).unwrap_err().kind, ErrorKind::BadLanguage(bad.into()), "{bad:?}");
    }
    for good in ["nb", "nn", "en", "en-GB", "smi"] {
        assert!(language(good).is_ok(), "{good:?}");
    }
}

#[test]
fn link_targets_are_an_allow_list() {
    let link = |href: &str| {
        let json_href = Json::Str(href.into()).to_json();
        Statement::parse(&edit(VALID, r#""href": "https://www.datatilsynet.no/""#, &format!(r#""href": {json_href}"#)))
    };
    assert_eq!(
        link("javascript:alert(1)").unwrap_err().to_string(),
        "sections[2].blocks[0].text[5].href: link target \"javascript:alert(1)\" is not allowed; expected an https:, \
         http:, mailto: or tel: URL, a #section-id or a site path starting with a single '/'"
    );
    let refused = [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "javascript&#58;alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "file:///etc/passwd",
        "ftp://example.no/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "https:evil.example",
        "https://",
        "https:///evil.example",
        "https://exa mple.no/",
        "https://example.no/\"onmouseover=\"x",
        "https://eksempel.no/ø",
        "mailto:",
        "mailto:not-an-address",
        "tel:",
        "tel:+47 22",
        "#",
        "#Bad",
        "#../x",
        "relative/path",
        "personopplysninger",
        "?q=1",
        "",
    ];
    for href in refused {
        assert_eq!(link(href).unwrap_err().kind, ErrorKind::UnsafeHref(href.into()), "{href:?}");
    }
    let allowed = [
        "https://www.datatilsynet.no/",
        "HTTPS://www.datatilsynet.no/klage?x=1#y",
        "http://example.no",
        "https://[2001:db8::1]/",
        "mailto:post@serviteur.no",
        "mailto:post@serviteur.no?subject=Innsyn",
        "tel:+4722000000",
        "tel:22-00-00-00",
        "#kontakt",
        "/personopplysninger",
        "/",
        "/cookies?lang=nb#top",
    ];
    for href in allowed {
        assert!(link(href).is_ok(), "{href:?}: {:?}", link(href));
    }
}

#[test]
fn section_links_must_name_an_existing_section() {
    assert_eq!(
        error(&edit(VALID, r##""href": "#kontakt""##, r##""href": "#rettigheter""##)),
        r##"intro[3].href: link target "#rettigheter" names no section of this statement"##
    );
    let in_list = edit(VALID, r#"["Fakturering og innkreving."]"#, r##"[{ "link": "se over", "href": "#mangler" }]"##);
    assert_eq!(
        Statement::parse(&in_list).unwrap_err(),
        StatementError {
            path: "sections[3].blocks[0].items[1][0].href".into(),
            kind: ErrorKind::UnknownAnchor("#mangler".into())
        }
    );
}

#[test]
fn html_and_control_characters_are_refused_in_text() {
    assert_eq!(
        error(&edit(VALID, "Serviteur AS er behandlingsansvarlig.", "Serviteur AS er <b>behandlingsansvarlig</b>.")),
        "sections[0].blocks[0].text[0]: found HTML-like markup \"<b\"; text is shown as plain text, so use an emphasis or link run instead"
    );
    let html = |text: &str| Statement::parse(&edit(VALID, "Frakt og IT-drift.", text)).map_err(|e| e.kind);
    assert_eq!(html("Frakt &amp; IT"), Err(ErrorKind::LooksLikeHtml("&amp;".into())));
    assert_eq!(html("Frakt &#38; IT"), Err(ErrorKind::LooksLikeHtml("&#38;".into())));
    assert_eq!(html("Frakt </p>"), Err(ErrorKind::LooksLikeHtml("</".into())));
    assert_eq!(html("Frakt <!-- x -->"), Err(ErrorKind::LooksLikeHtml("<!".into())));
    for fine in ["Frakt & IT-drift", "3 < 4 og 5 > 4", "fisk & chips;", "<3"] {
        assert!(html(fine).is_ok(), "{fine:?}");
    }
    assert_eq!(
        error(&edit(VALID, "Frakt og IT-drift.", r"Frakt\nog IT-drift.")),
        "sections[3].blocks[0].items[0][0]: found control character U+000A; start a new block or list item instead of a line break"
    );
    assert_eq!(html(r"Frakt\u0000"), Err(ErrorKind::ControlCharacter(0)));
    assert_eq!(html("Frakt\u{7f}"), Err(ErrorKind::ControlCharacter(0x7f)));
}

#[test]
fn contact_blocks_are_checked() {
    const CONTACT: &str =
        r#""email": "post@serviteur.no", "phone": "+47 00 00 00 00", "url": "https://www.serviteur.no/""#;
    let contact = |fields: &str| error(&edit(VALID, CONTACT, fields));
    assert_eq!(
        contact(r#""email": "post(at)serviteur.no""#),
        r#"sections[0].blocks[1].email: expected an e-mail address such as post@example.no, found "post(at)serviteur.no""#
    );
    assert_eq!(
        contact(r#""phone": "ring oss""#),
        r#"sections[0].blocks[1].phone: expected a phone number of digits and spaces with an optional leading '+', found "ring oss""#
    );
    assert_eq!(
        contact(r#""url": "javascript:x""#),
        r#"sections[0].blocks[1].url: expected an https:// or http:// address, found "javascript:x""#
    );
    assert_eq!(
        contact(r#""url": "www.serviteur.no""#),
        r#"sections[0].blocks[1].url: expected an https:// or http:// address, found "www.serviteur.no""#
    );
    assert_eq!(
        contact(r#""fax": "1""#),
        r#"sections[0].blocks[1]: unknown field "fax" (allowed: type, organisation, address, email, phone, url)"#
    );
    assert_eq!(
        error(&edit(VALID, &format!(", {CONTACT}"), "")),
        "sections[0].blocks[1]: missing; expected at least one of email, phone or url"
    );
    assert_eq!(
        error(&edit(VALID, r#""address": ["Eksempelveien 1", "0000 Demo"]"#, r#""address": "Eksempelveien 1""#)),
        "sections[0].blocks[1].address: expected an array of address lines, found a string"
    );
    assert_eq!(
        error(&edit(VALID, r#""0000 Demo""#, r#""""#)),
        "sections[0].blocks[1].address[1]: expected a non-empty string, found an empty string"
    );
    assert_eq!(
        error(&edit(VALID, r#""organisation": "Serviteur AS", "#, "")),
        "sections[0].blocks[1].organisation: missing; expected a non-empty string"
    );
    for phone in ["+47", "+47  22", " 22 00 00", "22 00 00 ", "+47-22000000"] {
        assert!(contact(&format!(r#""phone": "{phone}""#)).contains("expected a phone number"), "{phone:?}");
    }
    let minimal = edit(VALID, CONTACT, r#""phone": "22000000""#);
    assert!(Statement::parse(&minimal).is_ok());
}

#[test]
fn long_found_values_are_cut_in_messages() {
    let long = format!("javascript:{}", "a".repeat(200));
    let message = error(&edit(VALID, r#""href": "https://www.datatilsynet.no/""#, &format!(r#""href": "{long}""#)));
    assert!(message.contains(&format!("\"javascript:{}…\"", "a".repeat(49))), "{message}");
    assert!(message.len() < 300);
}

#[test]
fn revision_file_is_relative_to_the_statement_directory() {
    assert_eq!(revision_file("2025-06-01", "nb").as_deref(), Some("revisions/2025-06-01/nb.json"));
    assert_eq!(revision_file("..", "nb"), None);
    assert_eq!(revision_file("2025-06-01", "../nb"), None);
    assert_eq!(revision_file("a/b", "en"), None);
    // The demo's earlier revision lives exactly there (this file include_str!s it).
    assert_eq!(parse(NB_2025).revision, "2025-06-01");
}

// ---------------------------------------------------------------------------------------
// The demo content in www/statement/

const SECTION_IDS: [&str; 14] = [
    "behandlingsansvarlig",
    "innsamling",
    "opplysninger",
    "informasjonskapsler",
    "samtykke",
    "analyse",
    "nyhetsbrev",
    "sikkerhet",
    "lagringstid",
    "utlevering",
    "utenfor-eos",
    "rettigheter",
    "kontakt",
    "endringer",
];

#[test]
fn every_language_parses_with_matching_metadata() {
    let (nb, old_nb) = (parse(NB), parse(NB_2025));
    assert_eq!((nb.language.as_str(), nb.revision.as_str()), ("nb", "2026-11-01"));
    assert_eq!((old_nb.language.as_str(), old_nb.revision.as_str()), ("nb", "2025-06-01"));
    assert!(old_nb.effective_date < nb.effective_date);
    for (current, old, language) in [(NN, NN_2025, "nn"), (EN, EN_2025, "en")] {
        for (s, base) in [(parse(current), &nb), (parse(old), &old_nb)] {
            assert_eq!(s.language, language);
            assert_eq!((&s.revision, &s.effective_date), (&base.revision, &base.effective_date), "{language}");
        }
    }
}

/// Paragraph, list and contact structure line up, links point to the same places and the
/// contact cards are the same, so a translation stays in step with bokmål.
fn assert_same_structure(nb: &Statement, other: &Statement) {
    let language = &other.language;
    for (a, b) in nb.sections.iter().zip(&other.sections) {
        let kinds = |s: &Section| s.blocks.iter().map(Block::kind).collect::<Vec<_>>();
        assert_eq!(kinds(a), kinds(b), "{language}: section {}", a.id);
        for (x, y) in a.blocks.iter().zip(&b.blocks) {
            match (x, y) {
                (Block::List(p), Block::List(q)) => {
                    assert_eq!(p.len(), q.len(), "{language}: list items in section {}", a.id)
                }
                (Block::Contact(p), Block::Contact(q)) => assert_eq!(p, q, "{language}: contact in section {}", a.id),
                _ => {}
            }
        }
    }
    assert_eq!(hrefs(nb), hrefs(other), "{language}");
}

#[test]
fn every_language_has_the_same_section_ids_in_the_same_order() {
    let (nb, old_nb) = (parse(NB), parse(NB_2025));
    assert_eq!(nb.section_ids().collect::<Vec<_>>(), SECTION_IDS);
    for (current, old) in [(parse(NN), parse(NN_2025)), (parse(EN), parse(EN_2025))] {
        assert!(same_section_ids(&nb, &current), "{}", current.language);
        assert!(section_ids_missing(&nb, &current).is_empty() && section_ids_missing(&current, &nb).is_empty());
        assert_same_structure(&nb, &current);
        assert!(same_section_ids(&old_nb, &old), "{}", old.language);
        assert_same_structure(&old_nb, &old);
    }

    // The earlier revision lacks only the consent-choice section the current one adds.
    assert_eq!(section_ids_missing(&nb, &old_nb), ["samtykke"]);
    assert!(section_ids_missing(&old_nb, &nb).is_empty());
    assert!(!same_section_ids(&nb, &old_nb));
}

#[test]
fn norwegian_statement_covers_every_fact_of_the_shops_statement() {
    let nb = parse(NB);
    let text = full_text(&nb);
    let facts = [
        "Serviteur AS er behandlingsansvarlig",
        "Brønnøysundregistrene",
        "Automatisk",
        "navn, adresse og kontaktinformasjon",
        "aldri kortopplysninger",
        "tilgodehavender",
        "favorittprodukter og handlekurv",
        "underleverandørene",
        "brukernavn, passord og eventuell kjedetilhørighet",
        "øktinformasjonskapsler",
        "hvilket språk du har valgt",
        "valget ditt om informasjonskapsler lagres i en slik øktinformasjonskapsel",
        "Google Analytics",
        "IP-anonymisering",
        "lagres hos Google",
        "Med ditt samtykke",
        "melde deg av når som helst",
        "kun",
        "e-postadressen din",
        "personopplysningsloven",
        "GDPR",
        "Fysisk og logisk tilgangskontroll",
        "sikre datahaller",
        "klarert personell hos IT-driftspartneren",
        "Jevnlige gjennomganger av sikkerheten",
        "Avtaler som forplikter leverandørene",
        "trenger opplysningene",
        "bokføringsloven",
        "5 år",
        "selger",
        "aldri",
        "frakt og IT-drift",
        "trykkeri",
        "fakturering og betalingsinnkreving",
        "når norsk lov pålegger oss",
        "solgt eller kjøpt opp",
        "EØS",
        "standardavtaler",
        "Innsyn",
        "logger inn på brukerkontoen",
        "fullstendig oversikt",
        "Retting",
        "Sletting",
        "trekke tilbake",
        "Dataportabilitet",
        "protestere",
        "post@serviteur.no",
        "Datatilsynet",
        "www.serviteur.no/personopplysninger",
        "vesentlige endringer",
        "samtykket ditt på nytt",
        "Global Privacy Control",
    ];
    for fact in facts {
        assert!(text.contains(fact), "nb statement should mention {fact:?}");
    }
    // The seed's "by using our services you consent" is not consent under the GDPR.
    assert!(!text.contains("ved bruk av våre tjenester samtykker"));
    assert!(!text.to_lowercase().contains("uten forvarsel"));

    let links = hrefs(&nb);
    for href in
        ["https://www.datatilsynet.no/", "mailto:post@serviteur.no", "/personopplysninger", "#samtykke", "#kontakt"]
    {
        assert!(links.contains(&href), "nb statement should link {href}");
    }
    let Block::Contact(contact) = &nb.section("behandlingsansvarlig").unwrap().blocks[2] else {
        panic!("contact block expected")
    };
    assert_eq!(contact.organisation, "Serviteur AS");
    assert_eq!(contact.email.as_deref(), Some("post@serviteur.no"));
}

#[test]
fn english_statement_covers_the_same_facts() {
    let text = full_text(&parse(EN));
    for fact in [
        "Serviteur AS is the controller",
        "Brønnøysund Register Centre",
        "never card details",
        "chain membership",
        "session cookies",
        "Your choice about cookies is also stored in such a session cookie",
        "IP anonymisation",
        "With your consent",
        "unsubscribe at any time",
        "only",
        "Personal Data Act",
        "secure data centres",
        "Bookkeeping Act",
        "5 years",
        "never",
        "printing company",
        "debt collection",
        "EEA",
        "Data portability",
        "post@serviteur.no",
        "Datatilsynet",
        "ask for your consent again",
    ] {
        assert!(text.contains(fact), "en statement should mention {fact:?}");
    }
    assert!(!text.to_lowercase().contains("by using our services"));
}

#[test]
fn nynorsk_statement_covers_the_same_facts() {
    let text = full_text(&parse(NN));
    for fact in [
        "Serviteur AS er behandlingsansvarleg",
        "Brønnøysundregistra",
        "aldri kortopplysningar",
        "tilgodehavande",
        "favorittprodukt og handlekorg",
        "brukarnamn, passord og eventuell kjedetilhøyrsle",
        "øktinformasjonskapslar",
        "kva språk du har valt",
        "valet ditt om informasjonskapslar blir lagra i ein slik øktinformasjonskapsel",
        "IP-anonymisering",
        "lagra hjå Google",
        "Med samtykket ditt",
        "melde deg av når som helst",
        "lagrar vi berre e-postadressa di",
        "personopplysningslova",
        "GDPR",
        "sikre datahallar",
        "klarert personell hjå IT-driftspartnaren",
        "bokføringslova",
        "5 år",
        "Vi sel aldri",
        "trykkeri",
        "fakturering og betalingsinnkrevjing",
        "når norsk lov pålegg oss",
        "selde eller kjøpte opp",
        "EØS",
        "standardavtalane",
        "loggar inn på brukarkontoen",
        "Dataportabilitet",
        "protestere",
        "innan éin månad",
        "post@serviteur.no",
        "Datatilsynet",
        "vesentlege endringar",
        "samtykket ditt på nytt",
        "Global Privacy Control",
    ] {
        assert!(text.contains(fact), "nn statement should mention {fact:?}");
    }
    // Words that exist only in bokmål: a sentence left untranslated would show one.
    let bokmaal = [
        "ikke",
        "hva",
        "hvilke",
        "hvilken",
        "hvem",
        "hvor",
        "hvordan",
        "hvorfor",
        "fra",
        "bare",
        "noen",
        "dem",
        "tjenester",
        "virksomhet",
        "nødvendig",
        "sikkerhet",
    ];
    for revision in [NN, NN_2025] {
        let text = full_text(&parse(revision)).to_lowercase();
        let found: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| bokmaal.contains(w)).collect();
        assert!(found.is_empty(), "bokmål words in the nn statement: {found:?}");
    }
}

#[test]
fn earlier_revision_to_current_diff() {
    let (old, new) = (parse(NB_2025), parse(NB));
    let d = diff(&old, &new);
    assert_eq!((d.old_revision, d.new_revision), ("2025-06-01", "2026-11-01"));
    assert!(d.has_changes());
    assert_eq!((d.title.is_none(), d.intro.is_none()), (true, true));
    let summary: Vec<(&str, &str)> = d
        .sections
        .iter()
        .map(|s| {
            let kind = match s {
                SectionChange::Added(_) => "added",
                SectionChange::Removed(_) => "removed",
                SectionChange::Changed(_) => "changed",
                SectionChange::Unchanged(_) => "unchanged",
            };
            (s.id(), kind)
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("behandlingsansvarlig", "unchanged"),
            ("innsamling", "unchanged"),
            ("opplysninger", "unchanged"),
            ("informasjonskapsler", "changed"),
            ("samtykke", "added"),
            ("analyse", "changed"),
            ("nyhetsbrev", "changed"),
            ("sikkerhet", "unchanged"),
            ("lagringstid", "changed"),
            ("utlevering", "changed"),
            ("utenfor-eos", "unchanged"),
            ("rettigheter", "changed"),
            ("kontakt", "unchanged"),
            ("endringer", "changed"),
        ]
    );

    let changed = |id: &str| match d.sections.iter().find(|s| s.id() == id) {
        Some(SectionChange::Changed(c)) => c,
        other => panic!("{id}: {other:?}"),
    };
    let BlockChange::Paragraph(analyse) = &changed("analyse").blocks[0] else { panic!() };
    assert_eq!(
        show(analyse),
        "[-Vi-]{+Med ditt samtykke+} bruker{+ vi+} Google Analytics for å forstå hvordan nettbutikken brukes, \
         slik at vi kan forbedre den og tilpasse den til det kundene trenger."
    );
    assert!(matches!(changed("analyse").blocks[1], BlockChange::Same(_)));
    assert!(matches!(changed("analyse").blocks[2], BlockChange::Added(Block::Paragraph(_))));

    let BlockChange::Paragraph(retention) = &changed("lagringstid").blocks[0] else { panic!() };
    assert_eq!(
        show(retention),
        "Opplysninger som bokføringsloven pålegger oss å ta vare på, {+for eksempel grunnlaget for ordre og fakturaer, +}\
         lagrer vi i [-fem-]{+5+} år[-, slik loven krever-]{+ etter utgangen av regnskapsåret+}."
    );

    let BlockChange::List(recipients) = &changed("utlevering").blocks[1] else { panic!() };
    let removed: Vec<String> = recipients
        .iter()
        .filter_map(|i| match i {
            ItemChange::Removed(runs) => Some(plain(runs)),
            _ => None,
        })
        .collect();
    assert_eq!(removed, ["Google, som lagrer statistikken fra Google Analytics."]);
    assert_eq!(recipients.len(), 6);
    assert!(matches!(recipients[1], ItemChange::Removed(_)));

    let BlockChange::List(rights) = &changed("rettigheter").blocks[1] else { panic!() };
    assert!(
        matches!(rights.last(), Some(ItemChange::Added(item)) if plain(item).starts_with("Begrensning og protest"))
    );

    let cookies = &changed("informasjonskapsler").blocks;
    assert_eq!(cookies.len(), 6);
    assert!(
        matches!(&cookies[0], BlockChange::Paragraph(runs) if show(runs).contains("[-på maskinen-]{+i nettleseren+}"))
    );
    assert!(matches!(cookies[1], BlockChange::Removed(Block::Paragraph(_))));
    // The link to the cookie declaration is new too, and the declaration itself.
    assert!(cookies[2..].iter().all(|c| matches!(c, BlockChange::Added(_))));
    assert!(matches!(cookies[5], BlockChange::Added(Block::CookieDeclaration)));

    // The English revisions change in the same places.
    let (old_en, new_en) = (parse(EN_2025), parse(EN));
    let d_en = diff(&old_en, &new_en);
    let kinds = |d: &StatementDiff| -> Vec<(String, &str)> {
        d.sections
            .iter()
            .map(|s| {
                let kind = match s {
                    SectionChange::Added(_) => "added",
                    SectionChange::Removed(_) => "removed",
                    SectionChange::Changed(_) => "changed",
                    SectionChange::Unchanged(_) => "unchanged",
                };
                (s.id().to_string(), kind)
            })
            .collect()
    };
    assert_eq!(kinds(&d_en), kinds(&d));
    assert!(!diff(&new, &new).has_changes());

    // So do the nynorsk ones, and a nynorsk reader sees the changes in nynorsk.
    let (old_nn, new_nn) = (parse(NN_2025), parse(NN));
    let d_nn = diff(&old_nn, &new_nn);
    assert_eq!(kinds(&d_nn), kinds(&d));
    let retention = match d_nn.sections.iter().find(|s| s.id() == "lagringstid") {
        Some(SectionChange::Changed(c)) => &c.blocks[0],
        other => panic!("lagringstid: {other:?}"),
    };
    let BlockChange::Paragraph(retention) = retention else { panic!("{retention:?}") };
    assert_eq!(
        show(retention),
        "Opplysningar som bokføringslova pålegg oss å ta vare på, {+til dømes grunnlaget for ordrar og fakturaer, +}\
         lagrar vi i [-fem-]{+5+} år[-, slik lova krev-]{+ etter utgangen av rekneskapsåret+}."
    );
}

// ---------------------------------------------------------------------------------------
// Diff on small, targeted edits

fn section_change<'a>(d: &'a StatementDiff, id: &str) -> &'a SectionChange<'a> {
    d.sections.iter().find(|s| s.id() == id).unwrap_or_else(|| panic!("no section {id}"))
}

#[test]
fn identical_statements_have_no_changes() {
    let s = parse(VALID);
    let d = diff(&s, &s);
    assert!(!d.has_changes());
    assert!(d.sections.iter().all(SectionChange::is_unchanged));
    assert_eq!(d.sections.len(), 4);
}

#[test]
fn reworded_paragraph_shows_inserted_and_deleted_words() {
    let old = parse(VALID);
    let new = parse(&edit(
        VALID,
        "Regnskapsopplysninger lagrer vi i fem år.",
        "Regnskapsopplysninger lagrer vi i 5 år etter regnskapsårets slutt.",
    ));
    let d = diff(&old, &new);
    let SectionChange::Changed(section) = section_change(&d, "lagringstid") else { panic!() };
    assert_eq!(section.heading, None);
    assert_eq!(section.blocks.len(), 2);
    let BlockChange::Paragraph(runs) = &section.blocks[0] else { panic!("{:?}", section.blocks[0]) };
    assert_eq!(show(runs), "Regnskapsopplysninger lagrer vi i [-fem-]{+5+} år{+ etter regnskapsårets slutt+}.");
    assert_eq!(
        runs[1..4],
        [
            DiffRun::Deleted(Inline::Text("fem".into())),
            DiffRun::Inserted(Inline::Text("5".into())),
            DiffRun::Same(Inline::Text(" år".into())),
        ]
    );
    assert!(matches!(section.blocks[1], BlockChange::Same(_)));
    assert_eq!(d.sections.iter().filter(|s| !s.is_unchanged()).count(), 1);
}

#[test]
fn neighbouring_word_changes_read_as_one_change() {
    let old = parse(VALID);
    let new = parse(&edit(
        VALID,
        "Andre opplysninger sletter vi når vi ikke trenger dem.",
        "Andre data fjerner vi når vi ikke trenger dem.",
    ));
    let d = diff(&old, &new);
    let SectionChange::Changed(section) = section_change(&d, "lagringstid") else { panic!() };
    let BlockChange::Paragraph(runs) = &section.blocks[1] else { panic!() };
    assert_eq!(show(runs), "Andre [-opplysninger sletter-]{+data fjerner+} vi når vi ikke trenger dem.");
}

#[test]
fn links_and_emphasis_survive_the_word_diff() {
    let old = parse(VALID);
    let new = parse(&edit(VALID, r#"" eller klag til ""#, r#"" eller send en klage til ""#));
    let d = diff(&old, &new);
    let SectionChange::Changed(section) = section_change(&d, "kontakt") else { panic!() };
    let BlockChange::Paragraph(runs) = &section.blocks[0] else { panic!() };
    assert_eq!(
        show(runs),
        "Skriv til <post@serviteur.no|mailto:post@serviteur.no>, ring <oss|tel:+4700000000> eller \
         [-klag-]{+send en klage+} til <Datatilsynet|https://www.datatilsynet.no/>. Erklæringen ligger på \
         </personopplysninger|/personopplysninger>."
    );
    // A changed link target is a changed link, even with the same text.
    let moved = parse(&edit(
        VALID,
        r#""href": "https://www.datatilsynet.no/""#,
        r#""href": "https://www.datatilsynet.no/klage""#,
    ));
    let d = diff(&old, &moved);
    let SectionChange::Changed(section) = section_change(&d, "kontakt") else { panic!() };
    let BlockChange::Paragraph(runs) = &section.blocks[0] else { panic!() };
    assert!(show(runs).contains(
        "[-<Datatilsynet|https://www.datatilsynet.no/>-]{+<Datatilsynet|https://www.datatilsynet.no/klage>+}"
    ));

    let emphasised = parse(&edit(VALID, r#"{ "em": "dine" }"#, r#"{ "em": "alle dine" }"#));
    let d = diff(&old, &emphasised);
    assert_eq!(
        show(d.intro.as_ref().unwrap()),
        "Slik behandler vi {+*alle *+}*dine* opplysninger. Se <kontakt|#kontakt>."
    );
}

#[test]
fn added_and_removed_sections_are_placed_sensibly() {
    let old = parse(VALID);
    let with_new_section = edit(
        VALID,
        r#"    {
      "id": "kontakt","#,
        r#"    { "id": "nyhetsbrev", "heading": "Nyhetsbrev", "blocks": [{ "type": "paragraph", "text": ["Bare med samtykke."] }] },
    {
      "id": "kontakt","#,
    );
    let new = parse(&with_new_section);
    let d = diff(&old, &new);
    let ids: Vec<&str> = d.sections.iter().map(SectionChange::id).collect();
    assert_eq!(ids, ["behandlingsansvarlig", "lagringstid", "nyhetsbrev", "kontakt", "utlevering"]);
    assert!(matches!(section_change(&d, "nyhetsbrev"), SectionChange::Added(s) if s.heading == "Nyhetsbrev"));

    // Reversed, the section is removed and stays where it was: after its old predecessor.
    let d = diff(&new, &old);
    let ids: Vec<&str> = d.sections.iter().map(SectionChange::id).collect();
    assert_eq!(ids, ["behandlingsansvarlig", "lagringstid", "nyhetsbrev", "kontakt", "utlevering"]);
    assert!(matches!(section_change(&d, "nyhetsbrev"), SectionChange::Removed(_)));

    // A removed first section comes first.
    let without_first = r#"{"title": "Personvernerklæring", "revision": "2027", "effective_date": "2027-01-01", "language": "nb",
        "intro": ["x"], "sections": [{ "id": "kontakt", "heading": "Kontakt", "blocks": [{ "type": "paragraph", "text": ["Skriv."] }] }]}"#;
    let shorter = parse(without_first);
    let d = diff(&old, &shorter);
    let kinds: Vec<(&str, bool)> =
        d.sections.iter().map(|s| (s.id(), matches!(s, SectionChange::Removed(_)))).collect();
    assert_eq!(
        kinds,
        [("behandlingsansvarlig", true), ("lagringstid", true), ("kontakt", false), ("utlevering", true)]
    );
    assert!(d.intro.is_some());
}

#[test]
fn heading_and_title_changes_are_word_diffs() {
    let old = parse(VALID);
    let new = parse(&edit(
        &edit(VALID, r#""heading": "Kontakt""#, r#""heading": "Kontakt og klage""#),
        r#""title": "Personvernerklæring""#,
        r#""title": "Personvern""#,
    ));
    let d = diff(&old, &new);
    assert_eq!(show(d.title.as_ref().unwrap()), "[-Personvernerklæring-]{+Personvern+}");
    let SectionChange::Changed(section) = section_change(&d, "kontakt") else { panic!() };
    assert_eq!(show(section.heading.as_ref().unwrap()), "Kontakt{+ og klage+}");
    assert!(section.blocks.iter().all(|b| matches!(b, BlockChange::Same(_))));
    assert_eq!((section.old.heading.as_str(), section.new.heading.as_str()), ("Kontakt", "Kontakt og klage"));
}

#[test]
fn list_items_removed_added_and_reworded() {
    let old = parse(VALID);
    let new = parse(&edit(
        VALID,
        r#"["Frakt og IT-drift."],
          ["Fakturering og innkreving."],
          ["Myndigheter når loven krever det."]"#,
        r#"["Frakt og IT-drift."],
          ["Myndigheter, politi og domstoler når loven krever det."],
          ["Kjøper ved virksomhetsoverdragelse."]"#,
    ));
    let d = diff(&old, &new);
    let SectionChange::Changed(section) = section_change(&d, "utlevering") else { panic!() };
    let BlockChange::List(items) = &section.blocks[0] else { panic!() };
    let rendered: Vec<String> = items
        .iter()
        .map(|i| match i {
            ItemChange::Same(r) => format!("= {}", plain(r)),
            ItemChange::Removed(r) => format!("- {}", plain(r)),
            ItemChange::Added(r) => format!("+ {}", plain(r)),
            ItemChange::Changed(r) => format!("~ {}", show(r)),
        })
        .collect();
    assert_eq!(
        rendered,
        [
            "= Frakt og IT-drift.",
            "- Fakturering og innkreving.",
            "~ Myndigheter{+, politi og domstoler+} når loven krever det.",
            "+ Kjøper ved virksomhetsoverdragelse.",
        ]
    );
}

#[test]
fn blocks_of_another_kind_or_contact_edits_are_replaced() {
    let old = parse(VALID);
    let new = parse(&edit(VALID, r#""phone": "+47 00 00 00 00""#, r#""phone": "+47 11 11 11 11""#));
    let d = diff(&old, &new);
    let SectionChange::Changed(section) = section_change(&d, "behandlingsansvarlig") else { panic!() };
    assert!(matches!(section.blocks[0], BlockChange::Same(_)));
    assert!(matches!(
        section.blocks[1],
        BlockChange::Replaced { old: Block::Contact(a), new: Block::Contact(b) } if a.phone != b.phone
    ));

    let as_list = parse(&edit(
        VALID,
        r#"{ "type": "paragraph", "text": ["Regnskapsopplysninger lagrer vi i fem år."] }"#,
        r#"{ "type": "list", "items": [["Regnskapsopplysninger lagrer vi i fem år."]] }"#,
    ));
    let d = diff(&old, &as_list);
    let SectionChange::Changed(section) = section_change(&d, "lagringstid") else { panic!() };
    assert!(matches!(
        (&section.blocks[0], &section.blocks[1]),
        (BlockChange::Removed(Block::Paragraph(_)), BlockChange::Added(Block::List(_)))
    ));
}

/// Words as JSON inline runs of at most 200 words each (runs are limited to 4000 characters).
fn runs_json(words: &[String]) -> String {
    let chunks: Vec<String> = words.chunks(200).map(|c| c.join(" ")).collect();
    chunks.iter().map(|c| Json::Str(c.clone()).to_json()).collect::<Vec<_>>().join(r#", " ", "#)
}

#[test]
fn pathological_sizes_fall_back_to_whole_block_replacement() {
    // The same 2000 words in reverse order: similar enough to pair, but a word LCS would need
    // 16 million cells, so the paragraph counts as replaced whole.
    let words: Vec<String> = (0..2000).map(|i| format!("a{i}")).collect();
    let reversed: Vec<String> = words.iter().rev().cloned().collect();
    const SLOT: &str = r#""Andre opplysninger sletter vi når vi ikke trenger dem.""#;
    let old = parse(&edit(VALID, SLOT, &runs_json(&words)));
    let new = parse(&edit(VALID, SLOT, &runs_json(&reversed)));
    let d = diff(&old, &new);
    let SectionChange::Changed(section) = section_change(&d, "lagringstid") else { panic!() };
    assert!(matches!(
        section.blocks[1],
        BlockChange::Replaced { old: Block::Paragraph(x), new: Block::Paragraph(y) }
            if plain(x) == words.join(" ") && plain(y) == reversed.join(" ")
    ));

    // The same words with one word changed in the middle still diff word by word: the common
    // prefix and suffix are trimmed before the bounded LCS.
    let mut one_change = words.clone();
    one_change[1000] = "endret".into();
    let edited = parse(&edit(VALID, SLOT, &runs_json(&one_change)));
    let d = diff(&old, &edited);
    let SectionChange::Changed(section) = section_change(&d, "lagringstid") else { panic!() };
    let BlockChange::Paragraph(runs) = &section.blocks[1] else { panic!() };
    assert_eq!(runs.len(), 4);
    assert_eq!(
        (&runs[1], &runs[2]),
        (&DiffRun::Deleted(Inline::Text("a1000".into())), &DiffRun::Inserted(Inline::Text("endret".into())))
    );

    // An oversized list item shows as removed plus added.
    let item: Vec<String> = (0..1000).map(|i| format!("x{i}")).collect();
    let spread: Vec<String> = item.iter().flat_map(|w| [w.clone(), "z".into()]).collect();
    const ITEM: &str = r#""Frakt og IT-drift.""#;
    let list_old = parse(&edit(VALID, ITEM, &runs_json(&item)));
    let list_new = parse(&edit(VALID, ITEM, &runs_json(&spread)));
    let d = diff(&list_old, &list_new);
    let SectionChange::Changed(section) = section_change(&d, "utlevering") else { panic!() };
    let BlockChange::List(items) = &section.blocks[0] else { panic!() };
    assert!(matches!(
        (&items[0], &items[1], &items[2]),
        (ItemChange::Removed(_), ItemChange::Added(_), ItemChange::Same(_))
    ));

    // Oversized plain text (title, heading) becomes deleted-then-inserted whole.
    let text = |p: &str| (0..600).map(|i| format!("{p}{i}")).collect::<Vec<_>>().join(" ");
    let runs = diff::diff_text(&text("h"), &text("k"));
    assert_eq!(runs, [DiffRun::Deleted(Inline::Text(text("h"))), DiffRun::Inserted(Inline::Text(text("k")))]);
}

#[test]
fn many_unrelated_blocks_are_removed_and_added() {
    // 100 paragraphs replaced by 100 unrelated ones: every new paragraph is compared with
    // every old one for similarity, which stays cheap because word lists are built once.
    let paragraphs = |p: &str| {
        (0..MAX_BLOCKS)
            .map(|b| {
                let words: Vec<String> = (0..300).map(|w| format!("{p}{b}x{w}")).collect();
                format!(r#"{{ "type": "paragraph", "text": [{}] }}"#, runs_json(&words))
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    const SLOT: &str = r#"{ "type": "paragraph", "text": ["Regnskapsopplysninger lagrer vi i fem år."] },
        { "type": "paragraph", "text": ["Andre opplysninger sletter vi når vi ikke trenger dem."] }"#;
    let old = parse(&edit(VALID, SLOT, &paragraphs("a")));
    let new = parse(&edit(VALID, SLOT, &paragraphs("b")));
    let d = diff(&old, &new);
    let SectionChange::Changed(section) = section_change(&d, "lagringstid") else { panic!() };
    assert_eq!(section.blocks.len(), 2 * MAX_BLOCKS);
    assert!(section.blocks[..MAX_BLOCKS].iter().all(|b| matches!(b, BlockChange::Removed(_))));
    assert!(section.blocks[MAX_BLOCKS..].iter().all(|b| matches!(b, BlockChange::Added(_))));
}

#[test]
fn contact_cards_pair_by_organisation() {
    let old = parse(VALID);
    let renamed = parse(&edit(VALID, r#""organisation": "Serviteur AS""#, r#""organisation": "Grossisten Nord""#));
    let d = diff(&old, &renamed);
    let SectionChange::Changed(section) = section_change(&d, "behandlingsansvarlig") else { panic!() };
    assert!(matches!(
        (&section.blocks[1], &section.blocks[2]),
        (BlockChange::Removed(Block::Contact(_)), BlockChange::Added(Block::Contact(_)))
    ));
}

#[test]
fn lcs_limit_is_respected_exactly() {
    let side = (MAX_LCS_CELLS as f64).sqrt() as usize; // 500 × 500 = the limit
    let a: Vec<usize> = (0..side).collect();
    let b: Vec<usize> = (side..2 * side).collect();
    assert_eq!(diff::lcs(&a, &b, usize::eq).map(|p| p.len()), Some(0));
    let c: Vec<usize> = (side..2 * side + 1).collect();
    assert_eq!(diff::lcs(&a, &c, usize::eq).map(|p| p.len()), None);
    // Common prefix and suffix are free.
    let mut d = a.clone();
    d.insert(side / 2, 9999);
    let long: Vec<usize> = (0..100_000).collect();
    let mut long2 = long.clone();
    long2[50_000] = 1;
    assert_eq!(diff::lcs(&a, &d, usize::eq).map(|p| p.len()), Some(side));
    assert_eq!(diff::lcs(&long, &long2, usize::eq).map(|p| p.len()), Some(99_999));
}

#[test]
fn heap_sort_orders_words_as_the_standard_sort_does() {
    let text = "Vi lagrer navn og adresse, og vi deler dem ikke med andre enn dem som leverer varene. \
                Å lagre æøå-ord: zebra Zebra ærlig alfa alfa beta 12 2 ø";
    let mut cases: Vec<Vec<&str>> = vec![Vec::new(), vec!["én"], vec!["b", "a"], text.split(' ').collect()];
    cases.push(cases[3].iter().rev().copied().collect());
    let mut sorted = cases[3].clone();
    sorted.sort();
    cases.push(sorted);
    // A pseudo-random permutation of many repeated words.
    cases.push((0..1000).map(|i| ["ja", "nei", "kanskje", "æ", "a", "z"][(i * 7919) % 6]).collect());
    for case in cases {
        let mut expected = case.clone();
        expected.sort_unstable();
        let mut got = case.clone();
        diff::heap_sort(&mut got);
        assert_eq!(got, expected, "from {case:?}");
    }
}

#[test]
fn tokens_are_words_with_their_letters_beyond_ascii_and_single_punctuation() {
    let split = |text: &str| diff::tokens(text).collect::<Vec<_>>().join("|");
    assert_eq!(
        split("Vi lagrer «kundenavn» – og e-post… Ærlig talt: 2 300 kr §5 Müller"),
        "Vi| |lagrer| |«|kundenavn|»| |–| |og| |e|-|post|…| |Ærlig| |talt|:| |2| |300| |kr| |§|5| |Müller"
    );
    // A no-break space and the general punctuation block's spaces separate words too.
    assert_eq!(split("før\u{a0}etter\u{2009}siden"), "før|\u{a0}|etter|\u{2009}|siden");
}
