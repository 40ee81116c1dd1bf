//! The interface texts in bokmål, nynorsk and English, and the shop's overrides.
//! Every text has a stable camelCase key; the config's `texts.<lang>.<key>` replaces it.

use crate::prelude::*;

use crate::lang::Lang;
use crate::separated;

macro_rules! catalogue {
    ($(#[$doc:meta])* $name:ident { $( $variant:ident = $key:literal { nb: $nb:literal, nn: $nn:literal, en: $en:literal } )* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $( $variant, )* }

        impl $name {
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )* ];

            /// The key shops use in `texts` overrides.
            pub fn name(self) -> &'static str {
                match self { $( $name::$variant => $key, )* }
            }

            /// The built-in text in `lang`.
            pub fn default_text(self, lang: Lang) -> &'static str {
                // A table in `Lang`'s order rather than a match: a smaller lookup, and both
                // indexes are enums, so the compiler drops the bounds checks.
                const TEXTS: &[[&str; 3]] = &[ $( [$nb, $nn, $en], )* ];
                TEXTS[self as usize][lang as usize]
            }
        }

        impl Text for $name {
            fn name(self) -> &'static str {
                $name::name(self)
            }

            fn default_text(self, lang: Lang) -> &'static str {
                $name::default_text(self, lang)
            }
        }
    };
}

/// An interface text with a stable override key and built-in wording per language.
pub trait Text: Copy {
    fn name(self) -> &'static str;
    fn default_text(self, lang: Lang) -> &'static str;
}

/// Every override key the config accepts, from both catalogues.
pub fn is_text_name(name: &str) -> Option<&'static str> {
    BannerText::ALL
        .iter()
        .map(|k| k.name())
        .chain(TextKey::ALL.iter().map(|k| k.name()))
        .chain(SharedText::ALL.iter().map(|k| k.name()))
        .chain(FormText::ALL.iter().map(|k| k.name()))
        .find(|n| *n == name)
}

catalogue! {
    /// The texts of the banner and the floating button, the preferences' introduction (part of
    /// the texts hash a decision at the banner carries) and the announcement of a saved choice:
    /// with `SharedText`, the only texts the banner build (`web::banner`) carries, so they are a
    /// catalogue of their own.
    BannerText {
        Title = "bannerTitle" {
            nb: "Vi tar vare på personvernet ditt",
            nn: "Vi tek vare på personvernet ditt",
            en: "We respect your privacy"
        }
        Text = "bannerText" {
            nb: "Vi bruker nødvendige informasjonskapsler for at nettbutikken skal fungere. Med ditt samtykke bruker vi også verktøy som hjelper oss å forbedre butikken. Du velger selv, og du kan endre valget når som helst.",
            nn: "Vi brukar naudsynte informasjonskapslar for at nettbutikken skal fungere. Med samtykket ditt brukar vi òg verktøy som hjelper oss å gjere butikken betre. Du vel sjølv, og du kan endre valet når som helst.",
            en: "We use necessary cookies to make the shop work. With your consent we also use tools that help us improve it. The choice is yours, and you can change it at any time."
        }
        AcceptAll = "acceptAll" { nb: "Godta alle", nn: "Godta alle", en: "Accept all" }
        RejectAll = "rejectAll" { nb: "Avvis alle", nn: "Avvis alle", en: "Reject all" }
        Settings = "settings" { nb: "Tilpass", nn: "Tilpass", en: "Customise" }
        GpcNotice = "gpcNotice" {
            nb: "Nettleseren din ber om at du ikke spores (Global Privacy Control). Derfor er alt som ikke er nødvendig, slått av.",
            nn: "Nettlesaren din ber om at du ikkje blir spora (Global Privacy Control). Difor er alt som ikkje er naudsynt, slått av.",
            en: "Your browser asks not to be tracked (Global Privacy Control). Everything that is not necessary is therefore switched off."
        }
        ReopenButton = "reopenButton" {
            nb: "Personverninnstillinger",
            nn: "Personverninnstillingar",
            en: "Privacy settings"
        }
        PreferencesIntro = "preferencesIntro" {
            nb: "Velg hva vi kan bruke. Nødvendige informasjonskapsler er alltid på fordi butikken ikke virker uten dem. Alt annet er av til du slår det på.",
            nn: "Vel kva vi kan bruke. Naudsynte informasjonskapslar er alltid på fordi butikken ikkje verkar utan dei. Alt anna er av til du slår det på.",
            en: "Choose what we may use. Necessary cookies are always on because the shop does not work without them. Everything else stays off until you switch it on."
        }
        Saved = "saved" { nb: "Valget ditt er lagret.", nn: "Valet ditt er lagra.", en: "Your choice has been saved." }
    }
}

catalogue! {
    /// A text of the consent manager beyond the banner (preferences, receipt, placeholders).
    TextKey {
        PreferencesTitle = "preferencesTitle" {
            nb: "Personverninnstillinger",
            nn: "Personverninnstillingar",
            en: "Privacy settings"
        }
        SaveChoices = "saveChoices" { nb: "Lagre valgene", nn: "Lagre vala", en: "Save choices" }
        AlwaysOn = "alwaysOn" { nb: "Alltid på", nn: "Alltid på", en: "Always on" }
        Provider = "provider" { nb: "Leverandør", nn: "Leverandør", en: "Provider" }
        Purpose = "purpose" { nb: "Formål", nn: "Føremål", en: "Purpose" }
        Cookies = "cookies" { nb: "Informasjonskapsler", nn: "Informasjonskapslar", en: "Cookies" }
        PlaceholderText = "placeholderText" {
            nb: "Dette innholdet fra {service} vises ikke fordi du ikke har samtykket til {category}.",
            nn: "Dette innhaldet frå {service} blir ikkje vist fordi du ikkje har samtykt til {category}.",
            en: "This content from {service} is not shown because you have not consented to {category}."
        }
        PlaceholderCategoryText = "placeholderCategoryText" {
            nb: "Dette innholdet vises ikke fordi du ikke har samtykket til {category}.",
            nn: "Dette innhaldet blir ikkje vist fordi du ikkje har samtykt til {category}.",
            en: "This content is not shown because you have not consented to {category}."
        }
        PlaceholderSettings = "placeholderSettings" { nb: "Åpne innstillinger", nn: "Opne innstillingar", en: "Open settings" }
        PlaceholderAccept = "placeholderAccept" { nb: "Tillat {service}", nn: "Tillat {service}", en: "Allow {service}" }
        ReceiptTitle = "receiptTitle" { nb: "Samtykkekvittering", nn: "Samtykkekvittering", en: "Consent receipt" }
        ReceiptTime = "receiptTime" { nb: "Tidspunkt", nn: "Tidspunkt", en: "Time" }
        ReceiptRevision = "receiptRevision" { nb: "Versjon av erklæringen", nn: "Versjon av fråsegna", en: "Statement revision" }
        ReceiptHash = "receiptHash" { nb: "Kontrollsum for tekstene du så", nn: "Kontrollsum for tekstane du såg", en: "Checksum of the texts you saw" }
        ReceiptDownload = "receiptDownload" { nb: "Last ned kvittering", nn: "Last ned kvittering", en: "Download receipt" }
        ViaGpc = "viaGpc" { nb: "satt av GPC-signalet", nn: "sett av GPC-signalet", en: "set by the GPC signal" }
    }
}

catalogue! {
    /// The texts the consent manager and the statement pages (the extras build) both show: the
    /// built-in categories' titles and descriptions (the banner build's texts hash covers them
    /// too), "close", the statement link and "what changed", allowed / not allowed and the
    /// consent id's label. A catalogue of their own, so the extras and forms builds do not carry
    /// the banner's, the preferences' and the receipt's texts (each catalogue is one table,
    /// linked whole).
    SharedText {
        Close = "close" { nb: "Lukk", nn: "Lukk", en: "Close" }
        PrivacyStatement = "privacyStatement" {
            nb: "Personvernerklæring",
            nn: "Personvernerklæring",
            en: "Privacy statement"
        }
        StatementWhatChanged = "statementWhatChanged" {
            nb: "Se hva som er endret siden du sist samtykket",
            nn: "Sjå kva som er endra sidan du sist samtykte",
            en: "See what changed since you last consented"
        }
        ReceiptId = "receiptId" { nb: "Samtykke-ID", nn: "Samtykke-ID", en: "Consent ID" }
        Granted = "granted" { nb: "Tillatt", nn: "Tillate", en: "Allowed" }
        Denied = "denied" { nb: "Ikke tillatt", nn: "Ikkje tillate", en: "Not allowed" }
        CategoryNecessary = "category.necessary" { nb: "Nødvendige", nn: "Naudsynte", en: "Necessary" }
        CategoryNecessaryText = "category.necessary.description" {
            nb: "Får nettbutikken til å virke: handlekurv, innlogging, språkvalg og lagring av dette valget. Kan ikke slås av.",
            nn: "Får nettbutikken til å verke: handlekorg, innlogging, språkval og lagring av dette valet. Kan ikkje slåast av.",
            en: "Make the shop work: cart, login, language choice and remembering this choice. Cannot be switched off."
        }
        CategoryFunctional = "category.functional" { nb: "Funksjonelle", nn: "Funksjonelle", en: "Functional" }
        CategoryFunctionalText = "category.functional.description" {
            nb: "Husker innstillinger og gir ekstra funksjoner, som innebygde kart og videoer.",
            nn: "Hugsar innstillingar og gjev ekstra funksjonar, som innebygde kart og videoar.",
            en: "Remember settings and provide extras such as embedded maps and videos."
        }
        CategoryAnalytics = "category.analytics" { nb: "Statistikk", nn: "Statistikk", en: "Analytics" }
        CategoryAnalyticsText = "category.analytics.description" {
            nb: "Hjelper oss å forstå hvordan butikken brukes, slik at vi kan gjøre den bedre. Vi kan ikke identifisere deg i statistikken.",
            nn: "Hjelper oss å forstå korleis butikken blir brukt, slik at vi kan gjere han betre. Vi kan ikkje identifisere deg i statistikken.",
            en: "Help us understand how the shop is used so we can improve it. We cannot identify you in the statistics."
        }
        CategoryMarketing = "category.marketing" { nb: "Markedsføring", nn: "Marknadsføring", en: "Marketing" }
        CategoryMarketingText = "category.marketing.description" {
            nb: "Brukes til å vise deg relevante tilbud, også på andre nettsteder.",
            nn: "Blir brukt til å vise deg relevante tilbod, òg på andre nettstader.",
            en: "Used to show you relevant offers, also on other websites."
        }
    }
}

catalogue! {
    /// A text of the statement viewer and the forms, loaded only with them.
    FormText {
        StatementContents = "statementContents" { nb: "Innhold", nn: "Innhald", en: "Contents" }
        StatementVersion = "statementVersion" { nb: "Versjon {revision}, gjelder fra {date}", nn: "Versjon {revision}, gjeld frå {date}", en: "Version {revision}, effective {date}" }
        StatementPrint = "statementPrint" { nb: "Skriv ut", nn: "Skriv ut", en: "Print" }
        StatementCopyLink = "statementCopyLink" { nb: "Kopier lenke til «{section}»", nn: "Kopier lenkje til «{section}»", en: "Copy link to “{section}”" }
        StatementSectionLink = "statementSectionLink" { nb: "Lenke til «{section}»", nn: "Lenkje til «{section}»", en: "Link to “{section}”" }
        StatementLinkCopied = "statementLinkCopied" { nb: "Lenken er kopiert.", nn: "Lenkja er kopiert.", en: "Link copied." }
        StatementUnavailable = "statementUnavailable" {
            nb: "Personvernerklæringen kunne ikke vises her. Les den på personvernsiden vår.",
            nn: "Personvernerklæringa kunne ikkje visast her. Les ho på personvernsida vår.",
            en: "The privacy statement could not be shown here. Read it on our privacy page."
        }
        StatementLanguage = "statementLanguage" { nb: "Språk", nn: "Språk", en: "Language" }
        StatementChangesTitle = "statementChangesTitle" { nb: "Endringer siden versjon {revision}", nn: "Endringar sidan versjon {revision}", en: "Changes since version {revision}" }
        StatementBackToReading = "statementBackToReading" { nb: "Vis hele erklæringen", nn: "Vis heile fråsegna", en: "Show the whole statement" }
        StatementAdded = "statementAdded" { nb: "Ny del", nn: "Ny del", en: "New section" }
        StatementRemoved = "statementRemoved" { nb: "Fjernet del", nn: "Fjerna del", en: "Removed section" }
        StatementChanged = "statementChanged" { nb: "Endret", nn: "Endra", en: "Changed" }
        StatementUnchanged = "statementUnchanged" { nb: "Uendret", nn: "Uendra", en: "Unchanged" }
        StatementInserted = "statementInserted" { nb: "lagt til", nn: "lagt til", en: "added" }
        StatementDeleted = "statementDeleted" { nb: "fjernet", nn: "fjerna", en: "removed" }
        YourChoices = "yourChoices" { nb: "Dine valg nå", nn: "Vala dine no", en: "Your choices now" }
        ChangeChoices = "changeChoices" { nb: "Endre valgene", nn: "Endre vala", en: "Change choices" }
        ContactEmail = "contactEmail" { nb: "E-post", nn: "E-post", en: "E-mail" }
        ContactPhone = "contactPhone" { nb: "Telefon", nn: "Telefon", en: "Phone" }
        ContactWeb = "contactWeb" { nb: "Nettsted", nn: "Nettstad", en: "Website" }
        EmailLabel = "emailLabel" { nb: "E-postadresse", nn: "E-postadresse", en: "E-mail address" }
        EmailEmpty = "emailEmpty" { nb: "Skriv inn e-postadressen din.", nn: "Skriv inn e-postadressa di.", en: "Enter your e-mail address." }
        EmailMissingAt = "emailMissingAt" {
            nb: "E-postadressen mangler @, som i navn@eksempel.no.",
            nn: "E-postadressa manglar @, som i namn@eksempel.no.",
            en: "The e-mail address is missing an @, as in name@example.com."
        }
        EmailBadLocalPart = "emailBadLocalPart" {
            nb: "Delen før @ er tom eller har tegn som ikke kan brukes i en e-postadresse, for eksempel mellomrom eller komma.",
            nn: "Delen før @ er tom eller har teikn som ikkje kan brukast i ei e-postadresse, til dømes mellomrom eller komma.",
            en: "The part before the @ is empty or has characters that cannot be used in an e-mail address, such as spaces or commas."
        }
        EmailBadDomain = "emailBadDomain" {
            nb: "Delen etter @ er ikke et gyldig domenenavn, som eksempel.no.",
            nn: "Delen etter @ er ikkje eit gyldig domenenamn, som eksempel.no.",
            en: "The part after the @ is not a valid domain name, such as example.com."
        }
        EmailMissingTld = "emailMissingTld" {
            nb: "Domenet mangler en endelse, som .no eller .com.",
            nn: "Domenet manglar ei ending, som .no eller .com.",
            en: "The domain is missing an ending such as .no or .com."
        }
        EmailTooLong = "emailTooLong" {
            nb: "E-postadressen er for lang: høyst 254 tegn, og høyst 64 før @.",
            nn: "E-postadressa er for lang: høgst 254 teikn, og høgst 64 før @.",
            en: "The e-mail address is too long: at most 254 characters, and at most 64 before the @."
        }
        EmailNonAscii = "emailNonAscii" {
            nb: "Vi kan bare ta imot adresser uten æ, ø, å og andre spesialtegn. Har domenet slike tegn, skriv det i ASCII-form (den som begynner med xn--), eller bruk en annen adresse.",
            nn: "Vi kan berre ta imot adresser utan æ, ø, å og andre spesialteikn. Har domenet slike teikn, skriv det i ASCII-form (den som byrjar med xn--), eller bruk ei anna adresse.",
            en: "We can only accept addresses without letters such as æ, ø and å. If the domain has such letters, write it in its ASCII form (the one starting with xn--), or use another address."
        }
        EmailQuotedLocalPart = "emailQuotedLocalPart" {
            nb: "Adresser med anførselstegn før @ kan ikke brukes her. Bruk en annen adresse.",
            nn: "Adresser med hermeteikn før @ kan ikkje brukast her. Bruk ei anna adresse.",
            en: "Addresses with quotation marks before the @ cannot be used here. Please use another address."
        }
        FormSending = "formSending" { nb: "Sender …", nn: "Sender …", en: "Sending …" }
        FormRateLimited = "formRateLimited" {
            nb: "Det har kommet for mange forsøk på kort tid. Vent litt og prøv igjen.",
            nn: "Det har kome for mange forsøk på kort tid. Vent litt og prøv igjen.",
            en: "There have been too many attempts in a short time. Please wait a moment and try again."
        }
        FormFailed = "formFailed" {
            nb: "Noe gikk galt, og skjemaet ble ikke sendt. Det du skrev, er tatt vare på, så du kan prøve igjen.",
            nn: "Noko gjekk gale, og skjemaet vart ikkje sendt. Det du skreiv, er teke vare på, så du kan prøve igjen.",
            en: "Something went wrong and the form was not sent. What you entered has been kept, so you can try again."
        }
        FormRetry = "formRetry" { nb: "Prøv igjen", nn: "Prøv igjen", en: "Try again" }
        FormHoneypotLabel = "formHoneypotLabel" { nb: "Ikke fyll ut dette feltet", nn: "Ikkje fyll ut dette feltet", en: "Do not fill in this field" }
        NewsletterTitle = "newsletterTitle" { nb: "Nyhetsbrev", nn: "Nyheitsbrev", en: "Newsletter" }
        NewsletterFirstNameLabel = "newsletterFirstNameLabel" { nb: "Fornavn (valgfritt)", nn: "Førenamn (valfritt)", en: "First name (optional)" }
        NewsletterSender = "newsletterSender" { nb: "oss", nn: "oss", en: "us" }
        NewsletterFrequency = "newsletterFrequency" { nb: "omtrent én gang i måneden", nn: "omtrent éin gong i månaden", en: "about once a month" }
        NewsletterConsent = "newsletterConsent" {
            nb: "Ja, send meg nyhetsbrev med tilbud fra {sender} på e-post, {frequency}. Jeg kan melde meg av når som helst.",
            nn: "Ja, send meg nyheitsbrev med tilbod frå {sender} på e-post, {frequency}. Eg kan melde meg av når som helst.",
            en: "Yes, send me newsletters with offers from {sender} by e-mail, {frequency}. I can unsubscribe at any time."
        }
        NewsletterConsentRequired = "newsletterConsentRequired" {
            nb: "Kryss av i boksen hvis du vil ha nyhetsbrevet.",
            nn: "Kryss av i boksen om du vil ha nyheitsbrevet.",
            en: "Tick the box if you want the newsletter."
        }
        NewsletterFirstNameTooLong = "newsletterFirstNameTooLong" {
            nb: "Fornavnet kan ha høyst 100 tegn.",
            nn: "Førenamnet kan ha høgst 100 teikn.",
            en: "The first name can have at most 100 characters."
        }
        NewsletterSubmit = "newsletterSubmit" { nb: "Meld meg på", nn: "Meld meg på", en: "Sign me up" }
        NewsletterCheckEmail = "newsletterCheckEmail" {
            nb: "Takk! Sjekk e-posten din og følg lenken i meldingen vi har sendt, for å bekrefte påmeldingen. Du får ingen nyhetsbrev før den er bekreftet.",
            nn: "Takk! Sjå i e-posten din og følg lenkja i meldinga vi har sendt, for å stadfeste påmeldinga. Du får ingen nyheitsbrev før ho er stadfesta.",
            en: "Thank you! Check your e-mail and follow the link in the message we sent to confirm your signup. You will not receive any newsletters until it is confirmed."
        }
        NewsletterUnsubscribeTitle = "newsletterUnsubscribeTitle" { nb: "Meld deg av nyhetsbrevet", nn: "Meld deg av nyheitsbrevet", en: "Unsubscribe from the newsletter" }
        NewsletterUnsubscribeSubmit = "newsletterUnsubscribeSubmit" { nb: "Meld meg av", nn: "Meld meg av", en: "Unsubscribe" }
        NewsletterUnsubscribeCheckEmail = "newsletterUnsubscribeCheckEmail" {
            nb: "Sjekk e-posten din og følg lenken i meldingen vi har sendt, for å bekrefte avmeldingen.",
            nn: "Sjå i e-posten din og følg lenkja i meldinga vi har sendt, for å stadfeste avmeldinga.",
            en: "Check your e-mail and follow the link in the message we sent to confirm that you want to unsubscribe."
        }
        RightsTitle = "rightsTitle" { nb: "Bruk rettighetene dine", nn: "Bruk rettane dine", en: "Use your rights" }
        RightsIntro = "rightsIntro" {
            nb: "Send oss en forespørsel om personopplysningene dine, så svarer vi innen én måned.",
            nn: "Send oss ein førespurnad om personopplysningane dine, så svarar vi innan ein månad.",
            en: "Send us a request about your personal data and we will answer within one month."
        }
        RightsTypeLabel = "rightsTypeLabel" { nb: "Hva gjelder forespørselen?", nn: "Kva gjeld førespurnaden?", en: "What is your request about?" }
        RightsTypeAccess = "rightsType.access" { nb: "Innsyn", nn: "Innsyn", en: "Access" }
        RightsTypeAccessText = "rightsType.access.description" {
            nb: "Få vite hvilke opplysninger vi har om deg, og få en kopi av dem.",
            nn: "Få vite kva opplysningar vi har om deg, og få ein kopi av dei.",
            en: "Find out what information we hold about you and get a copy of it."
        }
        RightsTypeRectification = "rightsType.rectification" { nb: "Retting", nn: "Retting", en: "Rectification" }
        RightsTypeRectificationText = "rightsType.rectification.description" {
            nb: "Få rettet opplysninger om deg som er feil eller ufullstendige.",
            nn: "Få retta opplysningar om deg som er feil eller ufullstendige.",
            en: "Have information about you corrected that is wrong or incomplete."
        }
        RightsTypeErasure = "rightsType.erasure" { nb: "Sletting", nn: "Sletting", en: "Erasure" }
        RightsTypeErasureText = "rightsType.erasure.description" {
            nb: "Få slettet opplysninger om deg som vi ikke lenger trenger eller har rett til å ha.",
            nn: "Få sletta opplysningar om deg som vi ikkje lenger treng eller har rett til å ha.",
            en: "Have information about you deleted that we no longer need or have a right to keep."
        }
        RightsTypeWithdrawConsent = "rightsType.withdrawConsent" { nb: "Trekke tilbake samtykke", nn: "Trekkje tilbake samtykke", en: "Withdraw consent" }
        RightsTypeWithdrawConsentText = "rightsType.withdrawConsent.description" {
            nb: "Trekk tilbake et samtykke du har gitt oss, for eksempel til nyhetsbrev eller statistikk.",
            nn: "Trekk tilbake eit samtykke du har gjeve oss, til dømes til nyheitsbrev eller statistikk.",
            en: "Withdraw a consent you have given us, for example to the newsletter or to analytics."
        }
        RightsEmailHint = "rightsEmailHint" {
            nb: "Vi svarer til denne adressen og kan be deg bekrefte at den er din.",
            nn: "Vi svarar til denne adressa og kan be deg stadfeste at ho er di.",
            en: "We will reply to this address and may ask you to confirm that it is yours."
        }
        RightsMessageLabel = "rightsMessageLabel" { nb: "Beskriv forespørselen", nn: "Skildre førespurnaden", en: "Describe your request" }
        RightsMessageHint = "rightsMessageHint" {
            nb: "Valgfritt, men nødvendig ved retting: skriv hva som er feil, og hva som er riktig. Høyst 4000 tegn.",
            nn: "Valfritt, men naudsynt ved retting: skriv kva som er feil, og kva som er rett. Høgst 4000 teikn.",
            en: "Optional, but needed for rectification: say what is wrong and what is correct. At most 4000 characters."
        }
        RightsCharsLeft = "rightsCharsLeft" { nb: "{count} tegn igjen", nn: "{count} teikn att", en: "{count} characters left" }
        RightsConsentIdHint = "rightsConsentIdHint" {
            nb: "Sendes med, slik at vi finner samtykkene du har gitt i denne nettleseren.",
            nn: "Blir send med, slik at vi finn samtykka du har gjeve i denne nettlesaren.",
            en: "Sent along so that we can find the consents you gave in this browser."
        }
        RightsConfirmLabel = "rightsConfirmLabel" {
            nb: "Jeg bekrefter at jeg er personen forespørselen gjelder.",
            nn: "Eg stadfestar at eg er personen førespurnaden gjeld.",
            en: "I confirm that I am the person the request concerns."
        }
        RightsSubmit = "rightsSubmit" { nb: "Send forespørselen", nn: "Send førespurnaden", en: "Send request" }
        RightsSubmitMailto = "rightsSubmitMailto" { nb: "Lag e-post med forespørselen", nn: "Lag e-post med førespurnaden", en: "Create an e-mail with the request" }
        RightsTypeRequired = "rightsTypeRequired" { nb: "Velg hva forespørselen gjelder.", nn: "Vel kva førespurnaden gjeld.", en: "Choose what your request is about." }
        RightsMessageRequired = "rightsMessageRequired" {
            nb: "Skriv hvilke opplysninger som er feil, og hva som er riktig.",
            nn: "Skriv kva opplysningar som er feil, og kva som er rett.",
            en: "Say which information is wrong and what is correct."
        }
        RightsMessageTooLong = "rightsMessageTooLong" {
            nb: "Meldingen er for lang: høyst 4000 tegn.",
            nn: "Meldinga er for lang: høgst 4000 teikn.",
            en: "The message is too long: at most 4000 characters."
        }
        RightsConfirmRequired = "rightsConfirmRequired" {
            nb: "Kryss av for å bekrefte at forespørselen gjelder deg.",
            nn: "Kryss av for å stadfeste at førespurnaden gjeld deg.",
            en: "Tick the box to confirm that the request concerns you."
        }
        RightsDelivered = "rightsDelivered" {
            nb: "Takk! Vi har mottatt forespørselen din og svarer innen én måned.",
            nn: "Takk! Vi har fått førespurnaden din og svarar innan ein månad.",
            en: "Thank you! We have received your request and will answer within one month."
        }
        RightsReference = "rightsReference" { nb: "Referansenummeret ditt er {reference}.", nn: "Referansenummeret ditt er {reference}.", en: "Your reference number is {reference}." }
        RightsMailtoOpened = "rightsMailtoOpened" {
            nb: "E-postprogrammet ditt skal nå ha åpnet en ferdig utfylt e-post. Send den for å fullføre forespørselen. Åpnet det seg ikke noe? Skriv til {address}.",
            nn: "E-postprogrammet ditt skal no ha opna ein ferdig utfylt e-post. Send han for å fullføre førespurnaden. Opna det seg ikkje noko? Skriv til {address}.",
            en: "Your e-mail program should now have opened a prefilled e-mail. Send it to complete your request. Nothing opened? Write to {address}."
        }
        RightsMailSubject = "rightsMailSubject" { nb: "Personvernforespørsel: {type}", nn: "Personvernførespurnad: {type}", en: "Privacy request: {type}" }
        RightsComplaint = "rightsComplaint" {
            nb: "Du kan også klage til Datatilsynet",
            nn: "Du kan òg klage til Datatilsynet",
            en: "You can also complain to Datatilsynet, the Norwegian Data Protection Authority"
        }
    }
}

/// Built-in titles and descriptions exist for these category ids; other ids need their own.
pub fn category_defaults(id: &str) -> Option<(SharedText, SharedText)> {
    match id {
        "necessary" => Some((SharedText::CategoryNecessary, SharedText::CategoryNecessaryText)),
        "functional" => Some((SharedText::CategoryFunctional, SharedText::CategoryFunctionalText)),
        "analytics" => Some((SharedText::CategoryAnalytics, SharedText::CategoryAnalyticsText)),
        "marketing" => Some((SharedText::CategoryMarketing, SharedText::CategoryMarketingText)),
        _ => None,
    }
}

/// Appends `parts` separated by `separator`: `[&str]::join` without a Vec, and without the
/// generic join machinery (~1 KB of .wasm per element type).
pub fn push_joined<'a>(out: &mut String, parts: impl IntoIterator<Item = &'a str>, separator: &str) {
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        out.push_str(part);
    }
}

/// Replaces `{name}` placeholders; unknown placeholders are left as they are.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    // split_once rather than index slicing: no panic path, which keeps the .wasm small.
    while let Some((before, after)) = separated::split_once(rest, b'{') {
        out.push_str(before);
        let replaced = separated::split_once(after, b'}')
            .and_then(|(name, tail)| values.iter().find(|(k, _)| *k == name).map(|(_, v)| (v, tail)));
        match replaced {
            Some((value, tail)) => {
                out.push_str(value);
                rest = tail;
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_language_gets_its_own_wording() {
        let title = |lang| BannerText::Title.default_text(lang);
        assert_eq!(title(Lang::Nb), "Vi tar vare på personvernet ditt");
        assert_eq!(title(Lang::Nn), "Vi tek vare på personvernet ditt");
        assert_eq!(title(Lang::En), "We respect your privacy");
        assert_eq!(TextKey::SaveChoices.default_text(Lang::Nn), "Lagre vala");
    }

    #[test]
    fn every_key_has_a_distinct_name_and_nonempty_texts() {
        let keys: Vec<(&str, [&str; 3])> = BannerText::ALL
            .iter()
            .map(|k| (k.name(), Lang::ALL.map(|l| k.default_text(l))))
            .chain(TextKey::ALL.iter().map(|k| (k.name(), Lang::ALL.map(|l| k.default_text(l)))))
            .chain(SharedText::ALL.iter().map(|k| (k.name(), Lang::ALL.map(|l| k.default_text(l)))))
            .chain(FormText::ALL.iter().map(|k| (k.name(), Lang::ALL.map(|l| k.default_text(l)))))
            .collect();
        for (i, (name, texts)) in keys.iter().enumerate() {
            assert_eq!(is_text_name(name), Some(*name));
            assert!(keys[..i].iter().all(|(other, _)| other != name), "{name} is used twice");
            assert!(texts.iter().all(|t| !t.trim().is_empty()), "{name} has an empty text");
        }
        assert_eq!(is_text_name("noSuchText"), None);
    }

    #[test]
    fn accept_and_reject_are_equally_short_in_every_language() {
        // Equal prominence starts with labels of comparable length.
        for lang in Lang::ALL {
            let accept = BannerText::AcceptAll.default_text(lang).chars().count();
            let reject = BannerText::RejectAll.default_text(lang).chars().count();
            assert!(accept.abs_diff(reject) <= 2, "{lang:?}");
        }
    }

    #[test]
    fn fill_replaces_known_placeholders_only() {
        assert_eq!(fill("Tillat {service} i {x}", &[("service", "YouTube")]), "Tillat YouTube i {x}");
        assert_eq!(fill("{a}{a}}{", &[("a", "1")]), "11}{");
    }
}
