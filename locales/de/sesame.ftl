# Sesame: Deutsch.

## Shared

language-name = Deutsch
footer-line = { $product } · Anmelden ohne Passwort
footer-request-id = Anfrage-ID: { $id }
nav-profile = Ihr Profil
nav-apps = Verbundene Apps
nav-identifiers = Anmeldeadressen
nav-sign-out = Abmelden
nav-home = Zur Startseite
nav-back-to-app = Zurück zu { $client }
privacy-policy = Datenschutzerklärung
terms-of-service = Nutzungsbedingungen
datetime = { $day }.{ $month }.{ $year }, { $hour }:{ $minute } UTC

wait-minutes = { $n ->
    [one] einer Minute
   *[other] { $n } Minuten
}
wait-hours = { $n ->
    [one] einer Stunde
   *[other] { $n } Stunden
}

## Sign-in: the address page

identifier-title = Bei { $client } anmelden
identifier-intro-email = Wir senden Ihnen einen 6-stelligen Code an Ihre E-Mail-Adresse. Ein Passwort ist nicht nötig.
identifier-intro-either = Wir senden Ihnen einen 6-stelligen Code per E-Mail oder SMS. Ein Passwort ist nicht nötig.
identifier-label-email = E-Mail-Adresse
identifier-label-either = E-Mail-Adresse oder Telefonnummer
identifier-submit = Code senden

identifier-error-empty = Geben Sie Ihre E-Mail-Adresse ein.
identifier-error-invalid = Das sieht nicht nach einer E-Mail-Adresse aus. Bitte prüfen Sie sie und versuchen Sie es erneut.
identifier-error-too-long = Diese Adresse ist zu lang.
identifier-error-invisible = Das sieht nicht nach einer E-Mail-Adresse aus: Sie enthält ein unsichtbares oder ein Formatierungszeichen (oft beim Kopieren mitgenommen). Bitte tippen Sie sie von Hand ein.
identifier-error-empty-either = Geben Sie Ihre E-Mail-Adresse oder Telefonnummer ein.
identifier-error-not-email-or-phone = Geben Sie eine E-Mail-Adresse (wie name@example.com) oder eine Telefonnummer ein.
identifier-error-invalid-phone = Diese Telefonnummer können wir nicht verwenden. Bitte prüfen Sie sie oder geben Sie sie mit Ländervorwahl ein (zum Beispiel { $example }).
identifier-error-not-mobile = Diese Nummer kann keine SMS empfangen. Verwenden Sie eine Mobilnummer oder Ihre E-Mail-Adresse.
identifier-error-phone-unavailable = Die Anmeldung mit Telefonnummer ist hier nicht verfügbar. Verwenden Sie Ihre E-Mail-Adresse.

## Sign-in: the code page

code-page-title = Code eingeben
code-intro = Wir haben einen 6-stelligen Code an { $masked } gesendet, um Sie bei { $client } anzumelden. Es kann eine Minute dauern, bis er ankommt.
code-label = 6-stelliger Code
code-submit = Anmelden
code-resend = Neuen Code senden
code-restart = Andere Adresse verwenden
code-error-format = Geben Sie den 6-stelligen Code aus der Nachricht ein.
code-error-wrong = { $remaining ->
    [0] Dieser Code stimmt nicht. Fordern Sie einen neuen Code an.
    [one] Dieser Code stimmt nicht. Sie haben noch 1 Versuch.
   *[other] Dieser Code stimmt nicht. Sie haben noch { $remaining } Versuche.
}
code-error-too-many = Zu viele falsche Versuche: Dieser Code gilt nicht mehr. Fordern Sie einen neuen Code an.
code-error-expired = Dieser Code ist abgelaufen oder wurde schon verwendet. Fordern Sie einen neuen Code an.
code-notice-sent = Wir haben einen neuen Code gesendet. Nur der neueste Code gilt.
code-notice-wait = { $seconds ->
    [one] Ihr Code ist unterwegs. In 1 Sekunde können Sie einen weiteren anfordern.
   *[other] Ihr Code ist unterwegs. In { $seconds } Sekunden können Sie einen weiteren anfordern.
}
code-delivery-failed = Wir konnten den Code nicht senden. Bitte versuchen Sie es gleich noch einmal.
code-delivery-failed-sms = Wir konnten gerade keine SMS an diese Nummer senden. Bitte versuchen Sie es gleich noch einmal oder melden Sie sich mit Ihrer E-Mail-Adresse an.
code-delivery-delayed = Das Senden des Codes dauert länger als üblich. Wir versuchen es weiter: Er sollte bald ankommen.

## Limits

pause-identifier-failures = Zu Ihrer Sicherheit sind Anmeldecodes für diese Adresse nach zu vielen falschen Codes pausiert. Bitte versuchen Sie es in etwa { $wait } erneut.
pause-identifier-sends = Für diese Adresse wurden kürzlich mehrere Codes angefordert. Verwenden Sie bitte den neuesten, den Sie erhalten haben, oder versuchen Sie es in etwa { $wait } erneut.
pause-ip-sends = Aus Ihrem Netzwerk wurden kürzlich viele Codes angefordert. Bitte versuchen Sie es in etwa { $wait } erneut.
pause-ip-failures = Aus Ihrem Netzwerk wurden zu viele falsche Codes eingegeben. Bitte versuchen Sie es in etwa { $wait } erneut.
sms-denied-country = SMS ist für dieses Land nicht verfügbar. Bitte melden Sie sich stattdessen mit Ihrer E-Mail-Adresse an.
sms-denied-budget = Die Anmeldung per SMS ist für heute pausiert. Bitte melden Sie sich mit Ihrer E-Mail-Adresse an oder versuchen Sie es morgen wieder.
sms-denied-network = Aus Ihrem Netzwerk wurden kürzlich viele Codes angefordert, daher senden wir vorerst keine weitere SMS. Bitte versuchen Sie es in etwa { $wait } erneut oder melden Sie sich mit Ihrer E-Mail-Adresse an.
sms-denied-number = Wir haben bereits mehrere Codes an diese Nummer gesendet. Zu ihrem Schutz senden wir vorerst keinen weiteren. Bitte versuchen Sie es in etwa { $wait } erneut oder melden Sie sich mit Ihrer E-Mail-Adresse an.

## Consent

consent-title = { $client } den Zugriff auf Ihr Konto erlauben?
consent-intro = Sie sind angemeldet als { $who }. { $client } wird nicht von { $product } betrieben. Die App möchte:
consent-withdraw-later = Sie können diese Erlaubnis später auf der Seite „Verbundene Apps“ widerrufen; { $client } verliert dann den Zugriff.
consent-allow = Erlauben
consent-cancel = Abbrechen und zurück
scope-openid = Wissen, wer Sie bei { $product } sind (Ihre Konto-Kennung)
scope-email = Ihre E-Mail-Adresse sehen
scope-phone = Ihre Telefonnummer sehen
scope-profile = Ihren Namen und Ihre Profilangaben sehen
scope-address = Ihre Postanschrift sehen
scope-groups = Sehen, in welchen Gruppen Sie sind
scope-offline-access = Verbunden bleiben, auch wenn Sie die App nicht nutzen, bis Sie den Zugriff widerrufen
scope-other = Die Berechtigung „{ $scope }“ nutzen

## Account pages

signed-in-as = Angemeldet als { $who }
profile-title = Ihr Profil
profile-intro = Alle Angaben sind freiwillig. Apps sehen sie nur, wenn Sie ihnen erlauben, Ihr Profil oder Ihre Adresse zu sehen.
profile-saved = Ihr Profil ist gespeichert.
profile-group-name = Name
profile-group-web = Im Web
profile-group-about = Über Sie
profile-group-address = Adresse
profile-name = Vollständiger Name
profile-given-name = Vorname
profile-middle-name = Zweiter Vorname
profile-family-name = Nachname
profile-nickname = Spitzname
profile-username = Benutzername
profile-profile = Profilseite (https://…)
profile-picture = Bild (https://…)
profile-website = Website (https://…)
profile-gender = Geschlecht
profile-birthdate = Geburtsdatum (JJJJ-MM-TT)
profile-zoneinfo = Zeitzone (zum Beispiel Europe/Berlin)
profile-locale = Sprache (zum Beispiel de-DE)
profile-address = Postanschrift
profile-country = Land
profile-save = Speichern
apps-title = Verbundene Apps
apps-withdrawn = { $client } hat keinen Zugriff mehr auf Ihr Konto.
apps-none = Sie haben noch keiner App erlaubt, Ihr Konto zu nutzen.
apps-intro = Diese Apps werden nicht von { $product } betrieben. Sie haben jeder von ihnen erlaubt, Ihr Konto zu nutzen; wenn Sie die Erlaubnis widerrufen, wird die App sofort von Ihrem Konto abgemeldet.
apps-may = Sie darf:
apps-withdraw = Erlaubnis für { $client } widerrufen

## Devices

device-title = Gerät verbinden
device-intro = Geben Sie den Code ein, den Ihr Gerät anzeigt.
device-label = Code
device-submit = Weiter
device-error-wrong = Dieser Code stimmt nicht oder ist abgelaufen. Prüfen Sie den Code auf Ihrem Gerät und versuchen Sie es erneut.
device-confirm-title = Auf Ihrem Gerät bei { $client } anmelden?
device-confirm-intro = Sie sind angemeldet als { $who }. Erlauben Sie dies nur, wenn Sie den Vorgang auf Ihrem eigenen Gerät gestartet haben und es den eingegebenen Code anzeigt. { $client } kann dann:
device-allow = Erlauben
device-deny = Ablehnen
device-done-approved = Ihr Gerät ist verbunden
    .message = Sie können zu Ihrem Gerät zurückkehren; es macht von selbst weiter.
device-done-denied = Anfrage abgelehnt
    .message = Ihr Gerät hat keinen Zugriff erhalten. Sie können dieses Fenster schließen.

## Signing out

logout-title = Von { $product } abmelden?
logout-asked-by = { $client } bittet Sie, sich abzumelden.
logout-intro = Die Abmeldung beendet Ihre { $product }-Sitzung in diesem Browser. Apps, bei denen Sie sich angemeldet haben, halten Sie möglicherweise angemeldet, bis Sie sich auch dort abmelden.
logout-submit = Abmelden
logout-unverified = Die Abmeldeanfrage der App konnte nicht geprüft werden (ihr ID-Token stammt nicht von uns oder wurde verändert), daher leiten wir Sie nicht zu ihr zurück.
logout-done-title = Sie sind abgemeldet
logout-done-client = Ihre { $product }-Sitzung in diesem Browser ist beendet. Sie können zu { $client } zurückkehren oder dieses Fenster schließen.
logout-done-plain = Ihre { $product }-Sitzung in diesem Browser ist beendet. Sie können dieses Fenster schließen.

## Returning to the app (form post)

form-post-title = Zurück zur App
form-post-intro = Falls nichts passiert, klicken Sie auf „Weiter“.
form-post-submit = Weiter

## Demo (development mode)

demo-home-title = Ausprobieren: bei der Demo-App anmelden
demo-home-intro = Diese Seite ist eine kleine, im Entwicklungsmodus eingebaute Relying Party. Sie startet eine echte Autorisierungsanfrage (Code-Flow mit PKCE) an diesen Server und zeigt dann das erhaltene ID-Token und die Userinfo-Antwort. Codes werden über den konfigurierten SMTP-Server gesendet oder, wenn keiner konfiguriert ist, im Terminal ausgegeben, in dem Sesame läuft.
demo-mode = Entwicklungsmodus
demo-start = Bei der Demo-App anmelden
demo-discovery = Discovery:
demo-result-title = Sie sind angemeldet
demo-app = Demo-App
demo-result-intro = Signatur, Aussteller, Zielgruppe, Ablauf und Nonce des ID-Tokens wurden mit den veröffentlichten Schlüsseln des Servers geprüft.
demo-claims = Claims des ID-Tokens
demo-userinfo = Userinfo
demo-times = Zeiten im Token

## Error pages

error-not-found = Seite nicht gefunden
    .message = Unter dieser Adresse gibt es keine Seite. Prüfen Sie die Adresse oder kehren Sie dorthin zurück, woher Sie kamen.
error-internal = Etwas ist schiefgelaufen
    .message = Wir konnten diesen Schritt nicht abschließen. Bitte kehren Sie zur App zurück und versuchen Sie es erneut.
error-unavailable = Vorübergehend nicht verfügbar
    .message = Die Anmeldung ist vorübergehend nicht verfügbar. Bitte versuchen Sie es gleich noch einmal.
error-session-expired = Diese Anmeldung ist abgelaufen
    .message = Bitte kehren Sie zu der App zurück, bei der Sie sich anmelden wollten, und beginnen Sie neu.
error-link-altered = Dieser Anmeldelink ist ungültig
    .message = Die Adresse dieser Seite wurde verändert oder ist unvollständig. Bitte kehren Sie zu der App zurück, bei der Sie sich anmelden wollten, und beginnen Sie neu.
error-link-other-browser = Öffnen Sie diesen Link dort, wo Sie begonnen haben
    .message = Dieser Anmeldelink funktioniert nur einmal und nur in dem Browser, in dem die Adresse eingegeben wurde. Wenn Sie noch nicht angemeldet sind, kehren Sie zu diesem Fenster zurück und geben Sie dort den 6-stelligen Code aus derselben Nachricht ein.
error-form-expired = Dieses Formular ist abgelaufen
    .message = Zu Ihrer Sicherheit konnten wir dieses Formular nicht annehmen. Bitte kehren Sie zur App zurück und melden Sie sich erneut an.
error-form-unreadable = Dieses Formular konnte nicht gelesen werden
    .message = Etwas an den gesendeten Daten entsprach nicht dem, was diese Seite erwartet. Bitte kehren Sie zur App zurück und melden Sie sich erneut an.
error-not-signed-in = Sie sind nicht angemeldet
    .message = Melden Sie sich zuerst bei einer App an, die diesen Dienst nutzt, und kehren Sie dann auf diese Seite zurück.
error-too-many-requests = Zu viele Anmeldeanfragen
    .message = Aus Ihrem Netzwerk kamen gerade zu viele Anmeldeanfragen. Bitte warten Sie einen Moment, kehren Sie dann zur App zurück und versuchen Sie es erneut.
error-device-wait = Bitte warten Sie einen Moment
    .message = Aus Ihrem Netzwerk wurden zu viele falsche Gerätecodes eingegeben. Bitte versuchen Sie es in etwa { $wait } erneut.
error-device-expired = Dieser Code ist abgelaufen
    .message = Der Gerätecode ist nicht mehr gültig. Beginnen Sie auf Ihrem Gerät neu, um einen neuen zu erhalten.
error-invalid-link = Dieser Anmeldelink ist ungültig
error-invalid-logout = Diese Abmeldeanfrage ist ungültig
error-unknown-app = Unbekannte App
    .message = Die App, die Sie hierher geschickt hat, ist bei diesem Anmeldedienst nicht registriert.

## The code message (email and SMS)

email-subject = { $code } ist Ihr { $product }-Code
email-heading = Ihr { $product }-Code
email-text-first = Ihr { $product }-Code lautet:
email-enter = Geben Sie diesen Code ein, um sich bei { $client } anzumelden:
email-enter-text = Geben Sie ihn ein, um sich bei { $client } anzumelden.
email-expires = { $minutes ->
    [one] Er läuft in 1 Minute ab.
   *[other] Er läuft in { $minutes } Minuten ab.
}
email-ignore = Wenn Sie diesen Code nicht angefordert haben, können Sie diese Nachricht ignorieren. Geben Sie ihn nie weiter: Wir werden Sie nie danach fragen.
email-requested-at = { $product }, angefordert bei { $host }
email-link-text = Oder öffnen Sie diesen Link in dem Browser, in dem Sie die Anmeldung begonnen haben:
email-link-button = Bei { $client } anmelden
link-page-title = Bei { $client } anmelden?
link-intro = Dieser Link wurde an { $masked } gesendet. Klicken Sie auf die Schaltfläche, um die Anmeldung bei { $client } in diesem Browser abzuschließen.
link-submit = Anmelden
ids-title = Anmeldeadressen
ids-intro = Jede davon meldet Sie bei diesem Konto an. Fügen Sie die andere hinzu, um sich mit beiden anzumelden.
ids-email = E-Mail-Adresse
ids-phone = Telefonnummer
ids-none = Nicht festgelegt
ids-remove = Entfernen
ids-add-label = E-Mail-Adresse oder Telefonnummer hinzufügen
ids-add-submit = Code senden
ids-code-intro = Wir haben einen 6-stelligen Code an { $masked } gesendet. Geben Sie ihn hier ein, um sie Ihrem Konto hinzuzufügen.
ids-code-submit = Hinzufügen
ids-cancel = Abbrechen
ids-added = Hinzugefügt: Sie meldet Sie jetzt bei diesem Konto an.
ids-removed = Entfernt: Sie meldet Sie nicht mehr bei diesem Konto an.
ids-error-already = Dies gehört bereits zu Ihrem Konto.
ids-error-held = Dies kann nicht hinzugefügt werden: Es meldet bereits bei einem anderen Konto an. Entfernen Sie es zuerst dort.
ids-error-last = Sie können Ihre einzige Anmeldemöglichkeit nicht entfernen.
ids-mail-client = Ihrem { $product }-Konto
sms-text = { $code } ist Ihr { $product }-Code

## The authorization request, refused as a page

authorize-unregistered-redirect = Die App wollte zu einer Adresse zurückkehren, die sie nicht registriert hat, daher haben wir hier angehalten.
authorize-unregistered-redirect-dev = Die App wollte zu einer Adresse zurückkehren, die sie nicht registriert hat, daher haben wir hier angehalten. (Entwicklungsmodus: angefragt war { $received }; registriert ist { $registered }.)
authorize-bad-request = Die App hat eine Anfrage gesendet, die wir nicht annehmen können ({ $detail }). Bitte gehen Sie zurück und versuchen Sie es erneut.
authorize-no-client-id = Die Anfrage nennt keine App (client_id fehlt).
authorize-no-redirect-uri = Die Anfrage sagt nicht, wohin es zurückgehen soll (redirect_uri fehlt).
authorize-redirect-too-long = Die Rückkehradresse der App ist länger als { $bytes } Bytes, daher haben wir hier angehalten.
who-phone = die Telefonnummer mit den Endziffern { $digits }
who-account = Ihr Konto
profile-error-length = { $field }: höchstens { $max } Zeichen, in einer Zeile.
profile-error-url = { $field }: Geben Sie eine vollständige https://-Adresse ein.
profile-error-birthdate = Geburtsdatum: im Format JJJJ-MM-TT (oder nur JJJJ).
profile-error-zoneinfo = Zeitzone: ein Name wie Europe/Berlin.
profile-error-locale = Sprache: ein Kürzel wie de-DE.
demo-error = Die Demo-App konnte nicht abschließen
    .message = Die Demo-Relying-Party meldete: { $detail }
logout-error-other-client = Das ID-Token der App wurde für eine andere App ausgestellt (client_id passt nicht).
logout-error-unknown-client = Die App, die Sie hierher geschickt hat, ist nicht mehr registriert.
logout-error-bad-return = Die Rückkehradresse ist ungültig.
logout-error-unregistered-return = Die App wollte Sie zu einer Adresse schicken, die sie für die Abmeldung nicht registriert hat, daher haben wir hier angehalten. Sie sind weiterhin angemeldet.
