### Deutsche Texte von Herald: Seiten, E-Mails und die Meldungen der JSON-API.
### Jede Nachricht hier muss es in jedem anderen Katalog mit denselben
### Variablen geben (ein Test prüft das). `{ $name }` ist ein Wert, den der
### Code einsetzt; Zahlen wählen Pluralformen mit `{ $n -> [one] … *[other] … }`.

## app
app-name = Herald
app-tagline = Einmal verfassen. Überall veröffentlichen. Genau einmal.
app-description = Selbst gehostetes Social Publishing für Kreative und kleine Teams: Beiträge für Instagram, Facebook, TikTok und YouTube planen, jeden pünktlich veröffentlichen und wissen, was aus jedem geworden ist.

## nav
nav-label = Hauptnavigation
nav-skip = Zum Inhalt springen
nav-menu = Menü
nav-home = Startseite
nav-publishing = Veröffentlichung
nav-calendar = Kalender
nav-webhooks = Webhooks
nav-settings = Einstellungen
nav-compose = Verfassen

## language
language-label = Sprache
language-submit = Wechseln

## public
public-open_app = Herald öffnen
public-privacy = Datenschutz
public-terms = Nutzungsbedingungen
public-home = Startseite
public-footer = Herald ist freie Software (AGPL-3.0). Diese Instanz wird von ihrem Betreiber auf dessen eigenem Server betrieben.
public-updated = Zuletzt aktualisiert: { $date }
public-operator = Diese Instanz wird von { $name } betrieben. Schreiben Sie an { $contact }.
public-operator_unknown = Der Betreiber dieser Instanz hat Namen und Kontaktadresse hier noch nicht veröffentlicht. Fragen Sie die Person, die Ihnen den Zugang gegeben hat.

## dev
dev-banner = Entwicklungsmodus: Fehlende Schlüssel werden im Datenordner erzeugt. Setzen Sie HERALD_MODE=production und hinterlegen Sie eigene Geheimnisse, bevor echte Konten diese Instanz nutzen.
dev-sandbox_banner = Die eingebaute Sandbox ist eingeschaltet (HERALD_SANDBOX=on): Plattformen ohne App-Zugangsdaten verbinden sich mit Simulatoren, nicht mit den echten Plattformen. Nichts, was dort veröffentlicht wird, ist öffentlich.

## landing
landing-title = Einmal verfassen. Überall veröffentlichen. Genau einmal.
landing-lead = Herald plant Ihre Beiträge für Instagram, Facebook, TikTok und YouTube aus einem einzigen Kalender, veröffentlicht jeden pünktlich und niemals doppelt und zeigt Ihnen, was aus jedem geworden ist. Herald läuft als ein kleines Programm auf Ihrem eigenen Server.
landing-cta = Herald öffnen
landing-cta_secondary = Wie wir mit Ihren Daten umgehen
landing-features_heading = Was Herald kann
landing-f_schedule_title = Ein Kalender für alle Plattformen
landing-f_schedule_body = Verfassen Sie einen Beitrag einmal, passen Sie Text, Medien und Titel je Plattform an und planen Sie ihn in Ihrer eigenen Zeitzone. 09:00 Uhr in Berlin bleibt 09:00 Uhr in Berlin, auch über die Zeitumstellung hinweg.
landing-f_exactly_once_title = Keine verlorenen Beiträge, keine Duplikate
landing-f_exactly_once_body = Jede Veröffentlichung wird gespeichert, bevor sie versucht wird, und trägt einen Idempotenzschlüssel. Nach einer Zeitüberschreitung oder einem Absturz fragt Herald bei der Plattform nach, bevor es einen neuen Versuch startet.
landing-f_team_title = Ein Team mit klaren Rollen
landing-f_team_body = Laden Sie Personen als Admins, Redakteure, Mitwirkende oder Betrachter ein: Mitwirkende entwerfen, Redakteure veröffentlichen, Betrachter sehen zu. Jede Anmeldung und jede heikle Änderung steht im Aktivitätsprotokoll des Arbeitsbereichs.
landing-f_selfhosted_title = In Ihrer eigenen Hand
landing-f_selfhosted_body = Zum Start ein einzelnes Programm mit eingebetteter Datenbank, wenn Sie wachsen PostgreSQL, Redis und S3-kompatibler Speicher. Ihre Tokens werden verschlüsselt gespeichert und verlassen Ihren Server nie, außer zu der Plattform, zu der sie gehören.
landing-f_accounts_title = Sicher verbundene Konten
landing-f_accounts_body = Verbinden Sie Facebook-Seiten, Instagram-Business- und Creator-Konten, TikTok-Konten und YouTube-Kanäle. Herald erneuert den Zugriff, bevor er abläuft, sagt Ihnen, wenn ein Konto neu verbunden werden muss, und speichert jedes Token verschlüsselt.
landing-f_webhooks_title = Webhooks in beide Richtungen
landing-f_webhooks_body = Kommentare, Erwähnungen und Nachrichten, die Meta sendet, werden geprüft, gespeichert und mit ihrem Verlauf und einer Schaltfläche zum erneuten Verarbeiten aufgelistet; Ihre eigenen Systeme erhalten signierte Ereignisse, wenn ein Beitrag veröffentlicht wird oder fehlschlägt.
landing-see_it = In Herald ansehen

## home
home-title = Willkommen bei Herald
home-lead = Diese Schritte führen Sie von einem leeren Arbeitsbereich zu Ihrem ersten veröffentlichten Beitrag.
home-steps_heading = Erste Schritte
home-step_connect_title = Konten verbinden
home-step_connect_body = Verknüpfen Sie eine Facebook-Seite, ein Instagram-Business- oder Creator-Konto, ein TikTok-Konto oder einen YouTube-Kanal. Jede Verbindung zeigt die erteilten Berechtigungen und wann ihr Zugriff abläuft.
home-step_compose_title = Ersten Beitrag entwerfen
home-step_compose_body = Schreiben Sie den Text einmal und passen Sie dann Text, Medien und Titel für jede Plattform an. Herald prüft beim Schreiben die Regeln jeder Plattform.
home-step_schedule_title = Zeitpunkt wählen
home-step_schedule_body = Legen Sie den Beitrag in Ihrer Zeitzone in den Kalender oder veröffentlichen Sie ihn sofort. Sobald er erschienen ist, verlinkt der Kalender ihn auf der Plattform.
home-step_results_title = Rückmeldungen erhalten
home-step_results_body = Kommentare, Erwähnungen und Nachrichten, die Meta zu Ihren Konten sendet, erscheinen unter Benachrichtigungen, und Ihre eigenen Systeme können einen signierten Webhook erhalten, wenn ein Beitrag veröffentlicht wird oder fehlschlägt.
home-step_team_title = Team einladen
home-step_team_body = Laden Sie in den Einstellungen Admins, Redakteure, Mitwirkende und Betrachter ein; jede Rolle sieht und tut nur, wofür sie gedacht ist.
home-open = Zu { $section }

## section.calendar
section-calendar-title = Kalender
section-calendar-lead = Geplante, veröffentlichte und fehlgeschlagene Beiträge nach Monat und Woche, über alle Plattformen hinweg.
section-calendar-empty_title = Nichts geplant
section-calendar-empty_body = Geplante Beiträge erscheinen hier zu ihrem Veröffentlichungszeitpunkt in Ihrer Zeitzone. Von hier aus können Sie sie verschieben, erneut versuchen oder abbrechen.
section-calendar-next = Nächster Schritt: Verbinden Sie unter Veröffentlichung ein Konto und entwerfen Sie dann einen Beitrag.

## section.settings
section-settings-title = Einstellungen
section-settings-lead = Ihr Arbeitsbereich, Ihr Team, Ihre Sprache und Ihre Sicherheit.
section-settings-language_title = Sprache
section-settings-language_body = Die Oberfläche und E-Mails von Herald sind auf Englisch und Deutsch verfügbar.
section-settings-empty_title = Team und Sicherheit
section-settings-empty_body = Hier verwalten Sie Mitglieder und ihre Rollen, die bei Ihrem Konto angemeldeten Geräte und das Protokoll sicherheitsrelevanter Aktionen.
section-settings-next = Nächster Schritt: Wählen Sie oben Ihre Sprache.

## error
error-heading = Etwas ist schiefgelaufen
error-home = Zurück zur Startseite
error-reference = Referenz: { $id }
error-not_found = Diese Seite wurde nicht gefunden. Prüfen Sie die Adresse oder beginnen Sie erneut auf der Startseite.
error-method_not_allowed = Diese Adresse akzeptiert diese Art von Anfrage nicht.
error-payload_too_large = Ihre Übermittlung ist größer, als dieser Server annimmt. Senden Sie eine kleinere Datei oder weniger Text.
error-timeout = Die Antwort hat zu lange gedauert. Bitte versuchen Sie es gleich noch einmal.
error-unsupported_media_type = Ihre Übermittlung liegt in einem Format vor, das diese Adresse nicht akzeptiert.
error-bad_request = Die Anfrage konnte nicht verstanden werden. Prüfen Sie Ihre Eingaben und versuchen Sie es erneut.
error-malformed_json = Der Inhalt der Anfrage ist kein gültiges JSON; `field` und `expected` sagen, wo er nicht mehr lesbar ist.
error-invalid_body = Ein Wert im Inhalt der Anfrage passt nicht zu diesem Endpunkt; `field` nennt ihn und `expected` sagt, was nicht stimmt.
error-unknown_language = Diese Sprache ist nicht verfügbar. Wählen Sie Englisch oder Deutsch.
error-forbidden = Dazu sind Sie nicht berechtigt.
error-cross_site_request = Diese Anfrage stammt von einer anderen Website und wurde zum Schutz Ihres Kontos abgelehnt. Laden Sie die Seite neu und versuchen Sie es erneut.
error-rate_limited = Zu viele Versuche. Bitte warten Sie einen Moment, bevor Sie es erneut versuchen.
error-service_unavailable = Herald kann einen benötigten Dienst gerade nicht erreichen. Bitte versuchen Sie es in Kürze erneut.
error-internal = Bei uns ist ein Fehler aufgetreten. Er wurde protokolliert; bitte versuchen Sie es erneut.
error-unauthorized = Bitte melden Sie sich zuerst an.
error-invalid_email = Das sieht nicht wie eine E-Mail-Adresse aus. Prüfen Sie sie auf Tippfehler.
error-password_too_short = Wählen Sie ein Passwort mit mindestens 12 Zeichen.
error-password_too_long = Wählen Sie ein Passwort mit höchstens 256 Zeichen.
error-password_too_weak = Dieses Passwort ist zu verbreitet oder zu leicht zu erraten. Versuchen Sie einige Wörter ohne Zusammenhang.
error-invalid_credentials = Diese E-Mail-Adresse und dieses Passwort passen zu keinem Konto.
error-invalid_token = Dieser Link oder Code ist ungültig, wurde schon verwendet oder ist abgelaufen. Fordern Sie einen neuen an.
error-token_reused = Diese Anmeldung wurde zweimal verwendet, daher wurde das Gerät zum Schutz Ihres Kontos abgemeldet. Bitte melden Sie sich erneut an.
error-email_not_verified = Bestätigen Sie zuerst Ihre E-Mail-Adresse: Öffnen Sie den Link, den wir Ihnen geschickt haben.
error-last_owner = Ein Arbeitsbereich braucht mindestens einen Inhaber. Machen Sie zuerst jemand anderen zum Inhaber.
error-invite_email_mismatch = Diese Einladung ging an eine andere E-Mail-Adresse. Melden Sie sich mit dieser Adresse an, um sie anzunehmen.
error-already_member = Diese Person ist bereits Mitglied dieses Arbeitsbereichs.
error-invite_owner = Laden Sie mit einer anderen Rolle ein; nach dem Beitritt können Sie die Person zum Inhaber machen.
error-unknown_role = Wählen Sie eine der aufgeführten Rollen.
error-device_name_required = Geben Sie dem Gerät einen Namen, zum Beispiel den Namen der App.
error-unknown_device_kind = Die Geräteart muss web, mobile oder assistant sein.
error-unknown_grant_type = Der Grant-Typ muss password oder refresh_token sein.
error-csrf_failed = Dieses Formular ist abgelaufen. Laden Sie die Seite neu und versuchen Sie es noch einmal.
error-connect_session_required = Zum Verbinden eines Kontos braucht es einen angemeldeten Browser. Melden Sie sich im Web an und beginnen Sie erneut unter Veröffentlichung.
error-connect_forged_state = Diese Anmeldeantwort wurde nicht in Ihrer Sitzung gestartet und deshalb abgelehnt. Wenn Sie ein Konto verbinden wollten, beginnen Sie erneut unter Veröffentlichung.
error-connect_stale_state = Dieser Verbindungsversuch ist abgelaufen oder wurde bereits abgeschlossen. Beginnen Sie erneut unter Veröffentlichung; Sie haben zehn Minuten Zeit.
error-connect_denied = Sie haben die Anfrage abgelehnt, daher wurde nichts verbunden. Sie können es jederzeit erneut versuchen.
error-connect_platform_error = Die Plattform hat einen Fehler gemeldet, es wurde nichts verbunden. Versuchen Sie es gleich noch einmal.
error-connect_missing_scopes = Einige Berechtigungen, die Herald zum Veröffentlichen braucht, wurden nicht erteilt, daher wurde nichts verbunden. Erteilen Sie sie im nächsten Schritt, um fortzufahren.
error-connect_no_pages = Facebook hat keine Seiten zurückgegeben. Sie müssen Admin einer Facebook-Seite sein (oder volle Kontrolle haben) und sie im Facebook-Dialog auswählen. Für Instagram muss das Instagram-Konto ein Business- oder Creator-Konto sein, das mit dieser Seite verknüpft ist.
error-connect_no_channels = Dieses Google-Konto hat keinen YouTube-Kanal. Legen Sie einen auf youtube.com an (oder wählen Sie das Google-Konto, dem der Kanal gehört) und verbinden Sie dann erneut.
error-connect_no_accounts = Die Plattform hat kein Konto geliefert, auf dem Herald veröffentlichen kann. Prüfen Sie, ob Sie sich mit dem richtigen Konto angemeldet haben.
error-connect_nothing_chosen = Wählen Sie mindestens ein Konto zum Verbinden aus.
error-platform_reconnect = Die Plattform akzeptiert Heralds Zugriff für dieses Konto nicht mehr (abgelaufen, widerrufen oder Passwort geändert). Verbinden Sie das Konto erneut.
error-platform_reconsent = Laut Plattform fehlt eine Berechtigung, die Herald braucht. Verbinden Sie das Konto erneut und erteilen Sie alle angefragten Berechtigungen.
error-platform_rate_limited = Die Plattform bittet Herald, langsamer zu werden. Es geht nichts verloren; Herald versucht es erneut, sobald die Plattform es zulässt.
error-platform_unavailable = Die Plattform hat nicht richtig geantwortet. Es wurde nichts geändert; bitte versuchen Sie es in ein paar Minuten erneut.
error-platform_bad_request = Die Plattform hat die Anfrage abgelehnt. Wenn das wiederholt passiert, notieren Sie die Referenz und informieren Sie Ihre Administration.
error-platform_misconfigured = Die Plattform hat die App-Zugangsdaten oder die Weiterleitungsadresse dieses Servers abgelehnt. Die Administration muss die Plattform-Einstellungen in Heralds Konfiguration prüfen.
error-media_too_large = Diese Datei ist größer, als dieser Server annimmt. Sende eine kürzere oder kleinere Fassung.
error-media_empty = Die Datei ist leer. Wähle die Datei erneut aus.
error-media_unsupported = Diese Art von Datei kann nicht veröffentlicht werden. Lade ein JPEG-, PNG-, WebP- oder GIF-Bild oder ein MP4- oder MOV-Video hoch.
error-media_malformed = Die Datei sieht wie ein Bild oder Video aus, lässt sich aber nicht lesen; sie ist vielleicht beschädigt oder abgeschnitten. Exportiere sie neu und lade die neue Datei hoch.
error-media_not_downloadable = Diese Google-Drive-Datei kann nicht importiert werden: Es ist eine Google-Docs-Datei, oder ihr Eigentümer erlaubt das Herunterladen nicht.
error-media_drive_unavailable = Der Import aus Google Drive ist auf diesem Server nicht eingerichtet. Die Administration muss eine Google-App konfigurieren.
error-media_upload_interrupted = Der Upload brach ab, bevor die ganze Datei angekommen war. Prüfe die Verbindung und versuche es erneut.
error-media_link_expired = Dieser Medien-Link ist abgelaufen. Fordere einen neuen an.
error-media_link_invalid = Dieser Medien-Link ist ungültig.
error-post_not_found = Wir konnten diesen Beitrag nicht finden. Vielleicht wurde er gelöscht, oder er gehört zu einem anderen Arbeitsbereich.
error-post_no_targets = Wählen Sie mindestens ein Konto, auf dem veröffentlicht werden soll.
error-post_duplicate_target = Dasselbe Konto ist zweimal gewählt. Wählen Sie jedes Konto nur einmal.
error-post_unknown_connection = Eines der gewählten Konten ist nicht mehr mit diesem Arbeitsbereich verbunden. Laden Sie die Seite neu und wählen Sie erneut.
error-post_connection_needs_reconnection = Eines der gewählten Konten muss neu verbunden werden, bevor es veröffentlichen kann. Verbinden Sie es unter „Veröffentlichung“ neu, oder lassen Sie es weg.
error-post_unknown_media = Eine Mediendatei dieses Beitrags ist nicht mehr in der Mediathek. Wählen Sie sie erneut oder eine andere.
error-post_invalid = Der Beitrag erfüllt noch nicht alle Regeln der Plattformen. Beheben Sie die aufgeführten Punkte und speichern Sie erneut.
error-post_unknown_time_zone = Diese Zeitzone ist unbekannt. Wählen Sie eine aus der Liste, zum Beispiel Europe/Berlin.
error-post_invalid_time = Geben Sie ein Datum und eine Uhrzeit ein, um den Beitrag zu planen.
error-post_time_in_past = Dieser Zeitpunkt ist bereits vorbei. Wählen Sie eine Zeit in der Zukunft, oder veröffentlichen Sie sofort.
error-post_wrong_state = Dieser Beitrag wird gerade veröffentlicht oder wurde bereits veröffentlicht und kann so nicht mehr geändert werden.
error-post_provider_unavailable = Das Veröffentlichen auf einer der gewählten Plattformen ist auf diesem Server nicht verfügbar. Lassen Sie dieses Konto weg oder fragen Sie Ihre Administration.
error-post_platform_unavailable = Die Plattform hat eine Frage, die der Editor braucht, nicht beantwortet. Versuchen Sie es gleich noch einmal.
error-post_approval_required = Dieser Beitrag muss freigegeben werden, bevor er erscheint. Reichen Sie ihn stattdessen zur Freigabe ein.
error-post_own_approval = Niemand gibt seinen eigenen Beitrag frei. Bitten Sie eine andere freigebende Person darum oder senden Sie einen Kunden-Freigabelink.
error-post_comment_required = Schreiben Sie, welche Änderungen nötig sind: Der Kommentar ist das, womit die Autorin oder der Autor weiterarbeitet.
error-post_comment_too_long = Der Kommentar darf höchstens 5.000 Zeichen lang sein.
error-post_unknown_member = Eine der gewählten freigebenden Personen gehört nicht zu diesem Arbeitsbereich. Laden Sie die Seite neu und wählen Sie erneut.
error-post_comment_not_found = Der Kommentar, auf den Sie antworten, gehört nicht mehr zu diesem Beitrag. Laden Sie die Seite neu.
error-post_not_in_review = Dieser Beitrag wartet nicht auf Freigabe, es gibt also nichts zu entscheiden. Laden Sie die Seite neu, um seinen Stand zu sehen.
error-review_link_posts = Ein Freigabelink zeigt einen bis fünfzig Beiträge dieses Arbeitsbereichs.
error-review_link_expiry = Ein Freigabelink ist 1 bis 30 Tage gültig.
error-review_link_label_too_long = Die Notiz darf höchstens 100 Zeichen lang sein.
error-review_link_password_invalid = Das Passwort eines Freigabelinks hat 8 bis 128 Zeichen.
error-review_link_not_found = Diesen Freigabelink gibt es nicht.
error-review_link_expired = Dieser Freigabelink ist abgelaufen oder wurde widerrufen.
error-review_link_password_required = Dieser Freigabelink ist geschützt: Geben Sie sein Passwort ein.
error-review_link_password_wrong = Das Passwort stimmt nicht. Prüfen Sie es und versuchen Sie es erneut.
error-review_link_name_required = Geben Sie Ihren Namen ein (bis zu 100 Zeichen), damit das Team weiß, wer entschieden hat.
error-endpoint_url_invalid = Geben Sie die vollständige Adresse des Endpunkts ein, beginnend mit https://, zum Beispiel https://example.com/herald-events.
error-endpoint_url_scheme = Die Adresse des Endpunkts muss mit https:// beginnen (http:// nur, wo eine Administratorin oder ein Administrator private Ziele erlaubt).
error-endpoint_url_credentials = Lassen Sie Benutzername und Passwort aus der Adresse weg; prüfen Sie stattdessen Heralds Signatur.
error-endpoint_url_private = Herald sendet keine Webhooks an private, Loopback-, Link-Local- oder Cloud-Metadaten-Adressen. Verwenden Sie eine öffentliche Adresse oder bitten Sie Ihre Administration, private Ziele zu erlauben (HERALD_WEBHOOK_ALLOW_PRIVATE).
error-endpoint_url_unresolvable = Der Hostname des Endpunkts wurde nicht gefunden. Prüfen Sie die Adresse auf Tippfehler.
error-endpoint_unknown_event_type = Einer der gewählten Ereignistypen existiert nicht. Wählen Sie aus den aufgeführten Ereignistypen.
error-endpoint_description_too_long = Die Beschreibung darf höchstens 200 Zeichen lang sein.
error-endpoint_unknown_state = Filtern Sie nach einem der aufgeführten Zustellungszustände.
error-endpoint_replay_invalid = Wählen Sie mindestens eine Zustellung zum erneuten Senden aus oder einen Zeitpunkt, ab dem fehlgeschlagene Zustellungen erneut gesendet werden.
error-endpoint_replay_since_invalid = Geben Sie Datum und Uhrzeit ein, ab denen fehlgeschlagene Zustellungen erneut gesendet werden.
error-endpoint_delete_unconfirmed = Setzen Sie das Häkchen, um zu bestätigen, dass der Endpunkt gelöscht werden soll.
error-webhook_signature = Die Signatur X-Hub-Signature-256 fehlt oder passt nicht zum Meta-App-Secret dieses Herald. Es wurde nichts gespeichert.
error-webhook_malformed = Der Inhalt ist keine Meta-Webhook-Nachricht (ein JSON-Objekt mit „object“ und „entry“). Es wurde nichts gespeichert.
error-webhook_not_stored = Die Zustellung konnte gerade nicht gespeichert werden und wurde daher nicht bestätigt. Bitte gleich noch einmal senden.
error-webhook_verify_token = Das Verify-Token passt nicht zu dem für dieses Herald eingestellten (HERALD_META_VERIFY_TOKEN), oder hub.mode ist nicht „subscribe“.
error-signed_request_signature = Die Signatur des signed_request passt nicht zum Meta-App-Secret dieses Herald. Es wurde nichts geändert.
error-signed_request_malformed = Bitte ein Formularfeld signed_request senden: <Signatur>.<Nutzdaten> in base64url, mit HMAC-SHA256 signiert und mit einer Person. Es wurde nichts geändert.
error-webhook_invalid_status = Bitte nach einem der angebotenen Status filtern: empfangen, verarbeitet, wird wiederholt oder fehlgeschlagen (dead).
error-webhook_invalid_time = Bitte ein gültiges Datum mit Uhrzeit eingeben. Die API erwartet Zeiten nach RFC 3339, etwa 2026-03-29T09:00:00Z.
error-webhook_invalid_range = Das Ende des Zeitraums muss nach seinem Anfang liegen.
error-webhook_invalid_limit = Bitte zwischen 1 und 200 Einträge pro Seite anfordern.
error-webhook_invalid_replay = Bitte entweder die Ids der zu wiederholenden Zustellungen (höchstens 200) oder einen Zeitpunkt senden, seit dem die fehlgeschlagenen wiederholt werden sollen, nicht beides.
error-webhook_nothing_selected = Bitte mindestens eine Zustellung zum Wiederholen ankreuzen.
error-notification_unknown_kind = Eine der Benachrichtigungsarten ist unbekannt. Die Einstellungen, die Sie mit GET abrufen, nennen alle Arten.

# Die Datenschutzhinweise und die Nutzungsbedingungen: jeweils eine Liste von Abschnitten.
error-consent_required = Akzeptieren Sie Datenschutzerklärung und Nutzungsbedingungen, um ein Konto anzulegen.
error-workspace_personal = Ihr persönlicher Arbeitsbereich gehört zu Ihrem Konto; löschen Sie stattdessen Ihr Konto.
error-workspace_name_mismatch = Geben Sie zur Bestätigung den Namen des Arbeitsbereichs genau ein.
error-deletion_plan_incomplete = Wählen Sie für jeden geteilten Arbeitsbereich, der Ihnen gehört, was mit ihm geschieht.
error-deletion_plan_invalid = Diese Auswahl passt nicht zu den Arbeitsbereichen, die Ihnen gehören. Laden Sie die Seite neu und wählen Sie erneut.
error-handover_not_member = Die gewählte Person ist nicht mehr Mitglied dieses Arbeitsbereichs. Wählen Sie erneut.
error-export_not_ready = Dieser Export ist nicht fertig, ist fehlgeschlagen oder abgelaufen. Fordern Sie einen neuen an.

## auth
auth-email = E-Mail-Adresse
auth-password = Passwort
auth-name = Ihr Name (freiwillig)
auth-token = Code aus der E-Mail
auth-password_hint = Mindestens 12 Zeichen. Einige Wörter ohne Zusammenhang ergeben ein starkes Passwort, das man sich leicht merkt.
auth-login_title = Bei Herald anmelden
auth-login_submit = Anmelden
auth-signup_title = Herald-Konto erstellen
auth-signup_submit = Konto erstellen
auth-to_signup = Konto erstellen
auth-to_login = Anmelden
auth-to_forgot = Passwort vergessen?
auth-to_home = Zu Herald
auth-check_inbox_title = Sehen Sie in Ihr Postfach
auth-check_inbox_lead = Wir haben eine Nachricht an { $email } geschickt. Folgen Sie dem Link darin, um fortzufahren. Das kann eine Minute dauern; sehen Sie auch im Spam-Ordner nach.
auth-verify_title = E-Mail-Adresse bestätigen
auth-verify_lead = Bestätigen Sie, dass diese Adresse Ihnen gehört, um die Einrichtung Ihres Kontos abzuschließen.
auth-verify_paste = Fügen Sie den Code aus der Bestätigungs-E-Mail ein oder öffnen Sie den Link darin.
auth-verify_submit = Meine Adresse bestätigen
auth-verified_title = Adresse bestätigt
auth-verified_lead = Vielen Dank. Sie können jetzt Ihre Social-Media-Konten verbinden und veröffentlichen.
auth-forgot_title = Passwort zurücksetzen
auth-forgot_lead = Geben Sie die Adresse ein, mit der Sie sich registriert haben. Wir senden Ihnen einen Link, mit dem Sie ein neues Passwort wählen.
auth-forgot_submit = Link senden
auth-reset_sent_lead = Falls es ein Konto für { $email } gibt, haben wir einen Link zum Festlegen eines neuen Passworts geschickt. Der Link ist 30 Minuten gültig.
auth-reset_title = Neues Passwort wählen
auth-reset_submit = Neues Passwort speichern
auth-reset_done_title = Passwort geändert
auth-reset_done_lead = Ihr Passwort wurde geändert und alle Geräte wurden abgemeldet. Melden Sie sich mit dem neuen Passwort an.
auth-invite_title = Einem Arbeitsbereich beitreten
auth-invite_lead = Sie wurden eingeladen, in Herald mit einem Team zu arbeiten. Nehmen Sie an, um mit Ihrem Konto beizutreten.
auth-invite_submit = Dem Arbeitsbereich beitreten
auth-logout = Abmelden
auth-unverified_notice = Bestätigen Sie Ihre E-Mail-Adresse, um Social-Media-Konten zu verbinden und zu veröffentlichen. Den Link haben wir Ihnen bei der Registrierung geschickt.
auth-resend = Link erneut senden
auth-accept_terms = Ich habe die Datenschutzerklärung gelesen und akzeptiere die Nutzungsbedingungen dieser Instanz.

## settings
settings-account = Konto
settings-verified = Bestätigt
settings-unverified = Noch nicht bestätigt
settings-password = Passwort
settings-current_password = Aktuelles Passwort
settings-new_password = Neues Passwort
settings-change_password = Passwort ändern
settings-sessions = Wo Sie angemeldet sind
settings-sessions_lead = Browser und Apps, die mit Ihrem Konto angemeldet sind. Melden Sie alle ab, die Sie nicht kennen.
settings-device = Browser oder App
settings-ip = IP-Adresse
settings-created = Angemeldet
settings-last_used = Zuletzt aktiv
settings-actions = Aktionen
settings-this_session = Dieser Browser
settings-revoke = Abmelden
settings-logout_everywhere = Überall abmelden
settings-members = Mitglieder
settings-member = Mitglied
settings-role = Rolle
settings-save = Speichern
settings-remove = Entfernen
settings-leave = Verlassen
settings-invite = Jemanden einladen
settings-send_invite = Einladung senden
settings-open_invites = Offene Einladungen
settings-audit_link = Protokoll dieses Arbeitsbereichs
settings-approvals_link = Freigaben: wer Beiträge vor der Veröffentlichung freigeben lassen muss
approvals-title = Freigaben
approvals-back = Einstellungen
approvals-lead = Legen Sie fest, wer Beiträge in { $workspace } vor der Veröffentlichung freigeben lassen muss. Ein Beitrag, der auf Freigabe wartet, erscheint nie, egal wann er geplant ist; kommt sein Zeitpunkt, wird er zurückgehalten, und die Autorin oder der Autor sowie die freigebenden Personen werden benachrichtigt.
approvals-who = Wer eine Freigabe braucht
approvals-mode-none = Niemand (Mitwirkende reichen ihre Beiträge trotzdem ein)
approvals-mode-contributors = Mitwirkende
approvals-mode-everyone = Alle, auch freigebende Personen (eine andere Person gibt frei)
approvals-contributors_always = Mitwirkende dürfen nicht planen oder veröffentlichen, ihre Beiträge gehen deshalb immer durch die Freigabe. Niemand gibt seinen eigenen Beitrag frei.
approvals-accounts = Konten, die immer eine Freigabe brauchen
approvals-accounts_hint = Beiträge an diese Konten brauchen von allen eine Freigabe, unabhängig von der Auswahl oben.
approvals-no_accounts = Noch keine Konten verbunden.
approvals-approvers = Weitere freigebende Personen
approvals-approvers_hint = Inhaber, Admins und Redakteure geben frei. Wählen Sie Mitglieder mit anderen Rollen, die ebenfalls freigeben dürfen (zum Beispiel eine Kundin mit Leserechten).
approvals-no_other_members = Alle Mitglieder geben bereits durch ihre Rolle frei.
approvals-edits = Änderungen nach der Freigabe
approvals-reapprove_on_edit = Eine Änderung durch die Autorin, den Autor oder jemanden, der den Beitrag nicht freigeben darf, schickt ihn erneut zur Freigabe
approvals-save = Speichern
approvals-only_admins = Nur Inhaber und Admins ändern, wer eine Freigabe braucht.
approvals-done-saved = Gespeichert. Neue Speicherungen und Einreichungen folgen diesen Regeln.
settings-review_link = Plattformprüfung: was die App jeder Plattform von dieser Instanz braucht
settings-delete_workspace = Diesen Arbeitsbereich löschen
settings-delete_workspace_body = Löscht den Arbeitsbereich sofort für alle Mitglieder: Beiträge, Medien, verbundene Konten (Heralds Zugriff wird widerrufen, soweit die Plattform das zulässt), Webhooks und Benachrichtigungen. Das lässt sich nicht rückgängig machen.
settings-delete_workspace_confirm = Geben Sie zur Bestätigung { $name } ein
settings-delete_workspace_submit = Arbeitsbereich löschen
settings-data_body = Wozu Sie zugestimmt haben, ein Download von allem über Sie und das Löschen Ihres Kontos.
settings-data_link = Ihre Daten öffnen

## settings.done
settings-done-password_changed = Ihr Passwort wurde geändert. Andere Browser und Apps wurden abgemeldet.
settings-done-session_revoked = Diese Sitzung wurde abgemeldet.
settings-done-device_revoked = Diese App bzw. dieses Gerät wurde abgemeldet.
settings-done-invited = Die Einladung ist unterwegs.
settings-done-invite_revoked = Die Einladung wurde zurückgezogen.
settings-done-role_changed = Die Rolle wurde geändert.
settings-done-member_removed = Das Mitglied wurde entfernt.
settings-done-left = Sie haben den Arbeitsbereich verlassen.
settings-done-joined = Willkommen im Arbeitsbereich.
settings-done-workspace_deleted = Der Arbeitsbereich wurde gelöscht.

## role
role-owner = Inhaber
role-admin = Administrator
role-editor = Redakteur
role-contributor = Mitwirkender
role-viewer = Betrachter

## audit
audit-title = Protokoll
audit-lead = Anmeldungen, Sicherheitsänderungen und Änderungen an der Mitgliedschaft in diesem Arbeitsbereich, das Neueste zuerst. Passwörter und Tokens werden nie aufgezeichnet.
audit-empty = Noch nichts aufgezeichnet.
audit-when = Wann
audit-who = Wer
audit-what = Was
audit-outcome = Ergebnis
audit-subject = Betrifft
audit-from = Von
audit-back = Zurück zu den Einstellungen

## mail
mail-greeting = Guten Tag,
mail-link_hint = Falls die Schaltfläche nicht funktioniert, kopieren Sie diese Adresse in Ihren Browser:
mail-footer = Sie erhalten diese E-Mail wegen einer Aktion auf der Herald-Instanz unter { $site }. Falls Sie es nicht waren, können Sie sie ignorieren; ohne den Link ändert sich nichts.

## mail.verify_email
mail-verify_email-subject = Bestätigen Sie Ihre E-Mail-Adresse für Herald
mail-verify_email-body = Vielen Dank für Ihre Registrierung. Bitte bestätigen Sie, dass diese Adresse Ihnen gehört; der Link ist 24 Stunden gültig.
mail-verify_email-action = Meine Adresse bestätigen

## mail.reset_password
mail-reset_password-subject = Herald-Passwort zurücksetzen
mail-reset_password-body = Jemand hat angefordert, das Passwort Ihres Herald-Kontos zurückzusetzen. Wenn Sie das waren, wählen Sie mit dem Link unten ein neues Passwort; er ist 30 Minuten gültig.
mail-reset_password-action = Neues Passwort wählen

## mail.password_changed
mail-password_changed-subject = Ihr Herald-Passwort wurde geändert
mail-password_changed-body = Das Passwort Ihres Herald-Kontos wurde soeben geändert und alle anderen Geräte wurden abgemeldet. Wenn Sie das nicht waren, setzen Sie Ihr Passwort sofort zurück.
mail-password_changed-action = Passwort zurücksetzen

## mail.account_exists
mail-account_exists-subject = Jemand wollte sich mit Ihrer Adresse registrieren
mail-account_exists-body = Jemand wollte mit dieser E-Mail-Adresse ein Herald-Konto erstellen, doch Sie haben bereits eines. Wenn Sie das waren, melden Sie sich an oder setzen Sie Ihr Passwort zurück, falls Sie es vergessen haben.
mail-account_exists-action = Passwort zurücksetzen

## mail.invitation
mail-invitation-subject = { $inviter } hat Sie zu { $workspace } in Herald eingeladen
mail-invitation-body = { $inviter } hat Sie eingeladen, im Arbeitsbereich { $workspace } zusammenzuarbeiten. Melden Sie sich mit dieser E-Mail-Adresse an oder erstellen Sie ein Konto und nehmen Sie dann die Einladung an; sie ist 7 Tage gültig.
mail-invitation-action = Einladung annehmen

## publishing
publishing-access = Zugriff
publishing-title = Veröffentlichung
publishing-lead = Die Social-Media-Konten, in denen dieser Arbeitsbereich veröffentlicht. Herald erneuert ihren Zugriff, bevor er abläuft, und sagt Ihnen, wenn eines Sie braucht.
publishing-providers_heading = Konto verbinden
publishing-accounts_heading = Verbundene Konten
publishing-sandbox = Sandbox
publishing-sandbox_note = Für diese Plattform sind keine App-Zugangsdaten konfiguriert, daher verbindet sie sich mit Heralds eingebautem Simulator. Es wird nirgends wirklich etwas veröffentlicht.
publishing-connect = { $provider } verbinden
publishing-connect_more = Weiteres verbinden
publishing-needs = Was Sie brauchen
publishing-empty_title = Noch keine Konten verbunden
publishing-empty_body = Wählen Sie oben eine Plattform. Sie werden zur Plattform geschickt, um sich anzumelden und Heralds Zugriff zu bestätigen, und kommen dann hierher zurück.
publishing-status = Status
publishing-status_active = Verbunden
publishing-status_refresh_failing = Erneuerung schlägt fehl, wird wiederholt
publishing-status_needs_reconnection = Muss neu verbunden werden
publishing-detail_credentials_unreadable = Der gespeicherte Zugang ließ sich nicht entschlüsseln (ein Tresorschlüssel fehlt). Verbinden Sie das Konto neu.
publishing-detail_provider_unconfigured = Für diese Plattform ist auf dieser Instanz keine App mehr eingerichtet.
publishing-detail_platform_reconnect = Die Plattform akzeptiert Heralds Zugang nicht mehr: { $said }
publishing-detail_platform_reconsent = Die Plattform verlangt, dass Berechtigungen erneut erteilt werden: { $said }
publishing-detail_platform_rate_limited = Die Plattform hat Herald gebeten, langsamer zu werden: { $said }
publishing-detail_platform_unavailable = Die Plattform konnte den Zugang gerade nicht erneuern: { $said }
publishing-detail_platform_bad_request = Die Plattform hat die Erneuerung abgelehnt: { $said }
publishing-detail_platform_misconfigured = Die Plattform hat die App-Einstellungen dieser Instanz abgelehnt: { $said }
publishing-detail_access_removed = Der Zugang wurde auf { $app } entfernt.
publishing-webhooks = Webhooks
publishing-webhooks_subscribed = Aktiv: Meta sendet { $fields } an Heralds Posteingang.
publishing-webhooks_pending = Noch nicht eingeschaltet: Herald fragt Meta bei der nächsten Prüfung dieser Verbindung, oder verbinde sie jetzt neu.
publishing-webhooks_retrying = Das Einschalten ist vorerst fehlgeschlagen ({ $said }). Herald versucht es von selbst erneut.
publishing-webhooks_failed = Meta hat das Einschalten abgelehnt ({ $said }). Herald versucht es täglich erneut; bleibt es dabei, bitte deine Herald-Administration, die Webhook-Einstellungen der Meta-App zu prüfen.
publishing-webhooks_missing_permission = Aus: Der Verbindung fehlt die Berechtigung { $scopes }, daher sendet Meta keine Kommentare, Erwähnungen oder Nachrichten an den Posteingang (Veröffentlichen funktioniert weiter). Verbinde neu und erlaube sie; bietet die Plattform sie nicht an, frag deine Herald-Administration, deren Meta-App sie genehmigt braucht.
publishing-expires = Zugriff gültig bis { $when }, wird automatisch erneuert
publishing-never_expires = Zugriff läuft nicht ab
publishing-last_renewed = Zuletzt erneuert { $when }
publishing-scopes = Berechtigungen
publishing-via = über { $parent }
publishing-reconnect = Neu verbinden
publishing-remove = Entfernen
publishing-remove_note = Beim Entfernen widerruft Herald den Zugriff bei der Plattform, sofern sie das erlaubt, und löscht die gespeicherten Tokens.
publishing-no_permission = Ihre Rolle in diesem Arbeitsbereich darf Verbindungen sehen, aber nicht ändern.
publishing-unverified = Bestätigen Sie Ihre E-Mail-Adresse, bevor Sie Konten verbinden.
publishing-workspace = Arbeitsbereich
publishing-kind_facebook_page = Facebook-Seite
publishing-kind_instagram_business = Instagram-Business-Konto
publishing-kind_instagram_account = Instagram-Profi-Konto
publishing-kind_tiktok_user = TikTok-Konto
publishing-kind_youtube_channel = YouTube-Kanal
publishing-facebook_name = Facebook-Seiten & Instagram
publishing-facebook_needs = Ein Facebook-Konto, das mindestens eine Seite verwaltet. Mit Ihren Seiten verknüpfte Instagram-Business- oder Creator-Konten werden ebenfalls angeboten.
publishing-instagram_name = Instagram (ohne Facebook-Seite)
publishing-instagram_needs = Ein Instagram-Business- oder Creator-Konto. Der Zugriff gilt 60 Tage und wird automatisch erneuert.
publishing-tiktok_name = TikTok
publishing-tiktok_needs = Ein TikTok-Konto. Der Zugriff gilt einen Tag und wird automatisch erneuert.
publishing-youtube_name = YouTube
publishing-youtube_needs = Ein Google-Konto mit mindestens einem YouTube-Kanal. Gehören ihm mehrere, wählen Sie, welche verbunden werden.
publishing-youtube_locked = YouTube hat den letzten Upload dieses Kanals auf privat gesetzt, obwohl er „{ $requested }“ sein sollte: Das Google-Cloud-Projekt dieses Herald hat die API-Prüfung von YouTube nicht bestanden, darum wird jeder Upload darüber privat gesperrt. Die Betreiber dieses Herald müssen das Projekt prüfen lassen.
publishing-youtube_budget_near = { $used } der { $limit } YouTube-Uploads, die dieses Herald heute machen darf, sind verbraucht (alle Arbeitsbereiche zählen mit). Weitere Uploads warten bis { $resets }.
publishing-youtube_budget_spent = Alle { $limit } YouTube-Uploads, die dieses Herald heute machen darf, sind verbraucht (alle Arbeitsbereiche zählen mit; bisher { $used }). Neue Uploads warten bis { $resets }.
publishing-choose_title = Auswählen, was verbunden wird
publishing-choose_lead = { $provider } hat Herald Zugriff auf diese Konten gegeben. Wählen Sie die aus, in denen dieser Arbeitsbereich veröffentlichen soll.
publishing-choose_submit = Auswahl verbinden
publishing-already_connected = bereits verbunden; eine Auswahl erneuert den Zugriff
publishing-cancel = Abbrechen
publishing-result_title = Es wurde nichts verbunden
publishing-retry = Erneut versuchen
publishing-reconsent = Fehlende Berechtigungen erteilen
publishing-missing = Fehlt: { $scopes }
publishing-back = Zurück zur Veröffentlichung

## publishing.done
publishing-done-connected = Verbunden. In dem Konto kann jetzt veröffentlicht werden.
publishing-done-revoked = Entfernt. Der Zugriff wurde bei der Plattform widerrufen und die gespeicherten Tokens wurden gelöscht.
publishing-done-not_revocable = Entfernt. Die Plattform bietet keinen Widerruf von hier aus, daher wurden die gespeicherten Tokens gelöscht; Sie können Herald zusätzlich in den App-Einstellungen der Plattform entfernen.
publishing-done-shared_grant = Entfernt. Andere verbundene Konten nutzen dieselbe Anmeldung, daher bleibt der Zugriff für sie gültig; die Tokens für dieses Konto wurden gelöscht.
publishing-done-revoke_failed = Entfernt. Die Plattform war für den Widerruf nicht erreichbar, aber die gespeicherten Tokens wurden gelöscht; Sie können Herald zusätzlich in den App-Einstellungen der Plattform entfernen.

# Das Entwicklungs-Postfach (/dev/mailbox), nur im Entwicklungsmodus.
## mailbox
mailbox-title = Entwicklungs-Postfach
mailbox-lead = Die E-Mails, die diese Instanz eingereiht hat, die neuesten zuerst. Ohne SMTP-Server (HERALD_SMTP_URL) verlässt nichts diesen Rechner: Die E-Mails bleiben hier, sodass Sie Bestätigungs- und Zurücksetzungslinks direkt öffnen können.
mailbox-empty_title = Noch keine E-Mails
mailbox-empty_body = Noch keine E-Mails: E-Mails, die Herald im Entwicklungsmodus versendet, erscheinen hier, etwa Adressbestätigungen, Links zum Zurücksetzen des Passworts und Einladungen. Registrieren Sie sich oder fordern Sie ein neues Passwort an, um eine zu sehen.
mailbox-to = An
mailbox-subject = Betreff
mailbox-kind = Art
mailbox-queued = Eingereiht
mailbox-state = Status
mailbox-sent = Gesendet
mailbox-not_sent = Noch nicht
mailbox-attempts = Zustellversuche
mailbox-last_error = Letzter Fehler
mailbox-no_subject = (kein Betreff)
mailbox-state_pending = Ausstehend
mailbox-state_sent = Gesendet
mailbox-state_failed = Fehlgeschlagen
mailbox-back = ← Zurück zum Postfach
mailbox-text_part = Textfassung
mailbox-html_part = HTML-Fassung (Quelltext)

# The calendar (/home/calendar) and its queue list.
## calendar
calendar-title = Kalender
calendar-lead = Geplante, veröffentlichte und fehlgeschlagene Beiträge aller Plattformen, in Ihrer Zeitzone.
calendar-navigation = Im Kalender blättern
calendar-previous = Zurück
calendar-today = Heute
calendar-next = Weiter
calendar-view = Ansicht
calendar-month_view = Monat
calendar-week_view = Woche
calendar-week_of = Woche { $start }
calendar-long_date = { $day }. { $month } { $year }
calendar-zone_label = Zeitzone
calendar-state_label = Zeigen
calendar-state-all = Alle Beiträge
calendar-state-draft = Entwürfe
calendar-state-in_review = Wartet auf Freigabe
calendar-state-changes_requested = Änderungen angefragt
calendar-state-approved = Freigegeben
calendar-state-scheduled = Geplant
calendar-state-published = Veröffentlicht
calendar-state-failed = Fehlgeschlagen
calendar-zone_submit = Anzeigen
calendar-zone_query = Zeiten in { $zone }, der von Ihnen gewählten Zeitzone.
calendar-zone_browser = Zeiten in { $zone }, der Zeitzone Ihres Browsers.
calendar-zone_default = Zeiten in { $zone }. Wählen Sie Ihre Zeitzone, um sie in Ortszeit zu sehen.
calendar-nothing = Nichts geplant.
calendar-legend = Was die Farben bedeuten
calendar-queue = Warteschlange
calendar-compose_first = Beitrag verfassen

## calendar.month
calendar-month-1 = Januar
calendar-month-2 = Februar
calendar-month-3 = März
calendar-month-4 = April
calendar-month-5 = Mai
calendar-month-6 = Juni
calendar-month-7 = Juli
calendar-month-8 = August
calendar-month-9 = September
calendar-month-10 = Oktober
calendar-month-11 = November
calendar-month-12 = Dezember

## calendar.weekday
calendar-weekday-mon = Mo
calendar-weekday-tue = Di
calendar-weekday-wed = Mi
calendar-weekday-thu = Do
calendar-weekday-fri = Fr
calendar-weekday-sat = Sa
calendar-weekday-sun = So

## calendar.list
calendar-list-upcoming = Anstehend
calendar-list-published = Veröffentlicht
calendar-list-failed = Fehlgeschlagen
calendar-list-drafts = Entwürfe
calendar-list-review = Freigaben

## calendar.empty
calendar-empty-upcoming = Nichts ist geplant. Beiträge, die Sie planen, erscheinen hier, die nächsten zuerst, mit allen Konten, auf denen sie erscheinen.
calendar-empty-published = Noch nichts veröffentlicht. Veröffentlichte Beiträge erscheinen hier mit einem Link zu jeder Plattform.
calendar-empty-failed = Keine fehlgeschlagenen Beiträge. Kann ein Beitrag nicht veröffentlicht werden, erscheint er hier mit dem Grund und dem, was zu tun ist.
calendar-empty-drafts = Keine Entwürfe. Speichern Sie einen Beitrag im Editor als Entwurf, um ihn später fertigzustellen.
calendar-empty-review = Nichts wartet auf Freigabe. Zur Freigabe eingereichte Beiträge erscheinen hier, bis sie freigegeben sind.

# Posts in the queue list and on their own page.
## posts
posts-no_caption = (ohne Text)
posts-open_on = Auf { $platform } öffnen
posts-scheduled_as = geplant als
posts-details = Details
posts-retry = Erneut versuchen
posts-edit = Bearbeiten
posts-cancel = Abbrechen
posts-cancel_confirm = Diesen Beitrag auf allen Konten abbrechen, auf denen er noch nicht veröffentlicht ist?
posts-delete = Löschen
posts-delete_confirm = Diesen Beitrag endgültig löschen?
posts-reschedule = Neu planen
posts-reschedule_submit = Neue Zeit speichern
posts-detail_title = Beitrag
posts-back_to_calendar = Zurück zum Kalender
posts-status_label = Status
posts-goes_out = Zeitpunkt
posts-not_scheduled = Nicht geplant
posts-created = Erstellt
posts-times_in = Zeiten in
posts-per_account = Pro Konto
posts-published_at = Veröffentlicht
posts-remote_id = ID auf der Plattform
posts-permalink = Link
posts-attempts = Versuche
posts-receipts = Zustellbelege
posts-no_receipts = Noch kein Versuch.
posts-outcome_label = Ergebnis
posts-started = Begonnen
posts-finished = Beendet
posts-remote_ids = IDs der Plattform
posts-error = Fehler

## posts.status
posts-status-draft = Entwurf
posts-status-scheduled = Geplant
posts-status-publishing = Wird veröffentlicht
posts-status-published = Veröffentlicht
posts-status-partially_published = Teilweise veröffentlicht
posts-status-failed = Fehlgeschlagen
posts-status-cancelled = Abgebrochen

## posts.outcome
posts-outcome-published = Veröffentlicht
posts-outcome-waiting = Wartet auf die Plattform
posts-outcome-retrying = Wird wiederholt
posts-outcome-failed = Fehlgeschlagen
posts-outcome-cancelled = Abgebrochen

## posts.failure
posts-postponed = Von der Plattform verschoben:
posts-postponed_until = { $reason } Herald versucht es um { $until } erneut.
posts-published_notice = Veröffentlicht, aber beachten Sie:
posts-failure-reconnect = Das Konto muss neu verbunden werden.
posts-failure-reconsent = Herald fehlt eine Berechtigung für dieses Konto.
posts-failure-rejected = Die Plattform hat den Beitrag abgelehnt.
posts-failure-invalid = Der Beitrag erfüllt die Regeln der Plattform nicht.
posts-failure-quota = Das Veröffentlichungslimit der Plattform ist erreicht.
posts-failure-unavailable = Die Plattform hat wiederholt Fehler gemeldet.
posts-failure-unconfirmed = Die Plattform hat nie bestätigt, ob der Beitrag erschienen ist.
posts-failure-misconfigured = Die Plattform hat die App-Einstellungen dieses Servers abgelehnt.
posts-failure-media_missing = Eine Mediendatei des Beitrags wurde gelöscht.
posts-failure-disconnected = Das Konto wurde aus dem Arbeitsbereich entfernt.

## posts.fix
posts-fix-reconnect = Verbinden Sie das Konto neu und versuchen Sie es dann erneut.
posts-fix-reconsent = Verbinden Sie das Konto erneut, erteilen Sie alle Berechtigungen und versuchen Sie es dann erneut.
posts-fix-rejected = Bearbeiten Sie den Beitrag und versuchen Sie es dann erneut.
posts-fix-invalid = Bearbeiten Sie den Beitrag und versuchen Sie es dann erneut.
posts-fix-quota = Das Limit der Plattform wird später zurückgesetzt; versuchen Sie es dann erneut.
posts-fix-unavailable = Die Plattform hat Probleme; versuchen Sie es später erneut.
posts-fix-unconfirmed = Prüfen Sie das Konto auf der Plattform; ein erneuter Versuch prüft zuerst und veröffentlicht nie doppelt.
posts-fix-misconfigured = Bitten Sie Ihre Herald-Administration, die App-Einstellungen der Plattform zu prüfen.
posts-fix-media_missing = Wählen Sie die Medien erneut und versuchen Sie es dann erneut.
posts-fix-disconnected = Verbinden Sie das Konto erneut und bearbeiten Sie dann den Beitrag.

## posts.done
posts-done-scheduled = Geplant. Der Beitrag erscheint zu seiner Zeit auf allen gewählten Konten.
posts-done-draft_saved = Entwurf gespeichert.
posts-done-publishing = Wird jetzt veröffentlicht. Diese Seite zeigt den Fortschritt jedes Kontos.
posts-done-rescheduled = Der Beitrag wurde auf die neue Zeit verschoben.
posts-done-cancelled = Abgebrochen. Für diesen Beitrag wird nichts mehr veröffentlicht.
posts-done-retrying = Neuer Versuch läuft. Herald prüft zuerst bei der Plattform, damit nichts doppelt erscheint.
posts-done-deleted = Der Beitrag wurde gelöscht.
posts-done-submitted = Zur Freigabe eingereicht. Die freigebenden Personen wurden benachrichtigt; nach der Freigabe erscheint der Beitrag zu seinem Zeitpunkt.
posts-done-approved = Freigegeben. Der Beitrag erscheint zu seinem Zeitpunkt (sofort, wenn der Zeitpunkt vorbei ist).
posts-done-changes_requested = Änderungen angefragt. Die Autorin oder der Autor weiß jetzt, was zu ändern ist.
posts-done-commented = Kommentar hinzugefügt.
posts-submit = Zur Freigabe einreichen
posts-review-title = Freigabe
posts-review-in_review = Wartet auf Freigabe
posts-review-changes_requested = Änderungen angefragt
posts-review-approved = Freigegeben
posts-review-held = Zurückgehalten
posts-review-held_hint = Sein Zeitpunkt kam, während er noch auf Freigabe wartete, deshalb wurde er nicht veröffentlicht. Eine Freigabe jetzt veröffentlicht ihn sofort.
posts-review-someone = Jemand
posts-review-approve = Freigeben
posts-review-approve_comment = Kommentar (optional)
posts-review-request_changes = Änderungen anfragen
posts-review-changes_comment = Was soll sich ändern?
posts-history-submitted = { $name } hat ihn zur Freigabe eingereicht.
posts-history-approved = { $name } hat ihn freigegeben.
posts-history-approved_link = { $name } hat ihn über einen Kunden-Freigabelink freigegeben.
posts-history-changes_requested = { $name } hat um Änderungen gebeten.
posts-history-changes_requested_link = { $name } hat über einen Kunden-Freigabelink um Änderungen gebeten.
posts-history-reopened = { $name } hat ihn nach der Freigabe bearbeitet; er wartet deshalb erneut auf Freigabe.
posts-history-held = Sein Zeitpunkt kam, während er noch auf Freigabe wartete: Er wurde zurückgehalten.
posts-history-withdrawn = { $name } hat ihn zurück zu den Entwürfen genommen.
posts-comments-title = Kommentare
posts-comments-empty = Noch keine Kommentare. Erwähnen Sie jemanden aus dem Team mit @ und Namen oder Adresse, um Bescheid zu geben.
posts-comments-reply = Antworten
posts-comments-reply_label = Ihre Antwort
posts-comments-send = Senden
posts-comments-new_label = Neuer Kommentar
posts-comments-mention_hint = Erwähnen Sie jemanden aus dem Team mit @Name, @adresse@example.com oder dem Teil der Adresse vor dem @; die Person wird benachrichtigt.
posts-comments-about = Betrifft
posts-comments-whole_post = Den ganzen Beitrag
posts-done-link_revoked = Der Freigabelink wurde widerrufen. Er öffnet sich nicht mehr.
posts-links-title = Kunden-Freigabelinks
posts-links-lead = Teilen Sie diesen Beitrag mit jemandem außerhalb des Arbeitsbereichs: Die Person sieht die Vorschau und Medien jedes Kontos und gibt mit ihrem Namen frei oder bittet um Änderungen. Sonst ist über den Link nichts aus dem Arbeitsbereich erreichbar.
posts-links-unnamed = Freigabelink
posts-links-created = erstellt { $when }
posts-links-expires = gültig bis { $when }
posts-links-inactive = abgelaufen oder widerrufen
posts-links-protected = passwortgeschützt
posts-links-viewed = zuletzt geöffnet { $when }
posts-links-revoke = Widerrufen
posts-links-create = Freigabelink erstellen
posts-links-label = Für wen (sieht nur Ihr Team)
posts-links-days = Gültig für Tage (1 bis 30)
posts-links-password = Passwort (optional)
posts-links-password_hint = 8 bis 128 Zeichen. Senden Sie es getrennt vom Link.
posts-links-create_submit = Link erstellen
posts-links-created_title = Freigabelink erstellt
posts-links-shown_once = Kopieren Sie die Adresse jetzt: Sie wird nur dieses eine Mal angezeigt. Wer sie hat, sieht diesen Beitrag, bis der Link abläuft oder Sie ihn widerrufen.
posts-links-address = Freigabeadresse
posts-links-back = Zurück zum Beitrag
guest_review-title = Beiträge prüfen
guest_review-lead = Diese Beiträge warten auf Ihre Freigabe. Prüfen Sie die Fassung für jedes Konto und geben Sie sie frei oder schreiben Sie, was sich ändern soll.
guest_review-expires = Dieser Link ist gültig bis { $when } (UTC).
guest_review-goes_out = Geplant für { $when }
guest_review-first_comment = Erster Kommentar
guest_review-name = Ihr Name
guest_review-comment = Kommentar (nötig, wenn Sie um Änderungen bitten)
guest_review-approve = Freigeben
guest_review-request_changes = Um Änderungen bitten
guest_review-not_waiting = Dieser Beitrag wartet nicht mehr auf eine Entscheidung.
guest_review-locked = Dieser Freigabelink ist geschützt. Geben Sie das Passwort ein, das Sie erhalten haben.
guest_review-password = Passwort
guest_review-unlock = Öffnen
guest_review-expired = Dieser Freigabelink ist abgelaufen oder wurde widerrufen. Bitten Sie die Person, die ihn geschickt hat, um einen neuen.
guest_review-not_found = Hier gibt es keine Freigabe. Prüfen Sie, ob die ganze Adresse kopiert wurde.
guest_review-decided-approved = { $name } hat ihn freigegeben.
guest_review-decided-changes_requested = { $name } hat um Änderungen gebeten.
guest_review-done-approved = Danke: Der Beitrag ist freigegeben, und das Team wurde benachrichtigt.
guest_review-done-changes_requested = Danke: Das Team weiß jetzt, was zu ändern ist.

# The composer (/home/compose).
## compose
compose-choose_accounts_first = Wählen Sie oben mindestens ein Konto, um den Beitrag für seine Plattform anzupassen.
compose-title = Verfassen
compose-edit_title = Beitrag bearbeiten
compose-lead = Einmal schreiben, pro Plattform anpassen und sofort oder zu einer Zeit in Ihrer Zeitzone veröffentlichen.
compose-no_accounts_title = Keine Konten zum Veröffentlichen
compose-no_accounts_body = Verbinden Sie zuerst eine Instagram- oder Facebook-Seite, ein TikTok-Konto oder einen YouTube-Kanal. Kommen Sie dann hierher zurück, um Ihren Beitrag zu verfassen.
compose-connect_accounts = Konto verbinden
compose-accounts = Veröffentlichen auf
compose-needs_reconnection = Muss neu verbunden werden, bevor es veröffentlichen kann.
compose-content = Inhalt
compose-caption = Text
compose-media_ids = Medien-IDs, in Reihenfolge
compose-media_ids_hint = Trennen Sie IDs mit Kommas. Mit JavaScript wählen Sie stattdessen aus Ihrer Mediathek.
compose-media = Medien
compose-selected_media = Gewählte Medien
compose-upload = Dateien hochladen
compose-drive_import = Aus Google Drive importieren
compose-library = Mediathek
compose-per_platform = Pro Plattform
compose-per_platform_hint = Jedes Konto verwendet den Text und die Medien von oben, außer Sie ändern sie hier. Angeboten wird nur, was die Plattform unterstützt.
compose-format_label = Format
compose-format_auto = Automatisch
compose-title_label = Titel
compose-required = Pflichtfeld
compose-caption_override = Text für dieses Konto
compose-caption_override_placeholder = Leer lassen, um den Text von oben zu verwenden
compose-link = Link
compose-first_comment = Erster Kommentar
compose-privacy_label = Wer es sehen kann
compose-own_media = Andere Medien für dieses Konto verwenden
compose-preview = Vorschau
compose-when = Wann
compose-date = Datum
compose-time = Uhrzeit
compose-time_zone = Zeitzone
compose-when_hint = Zum Planen nötig. Der Beitrag erscheint zu dieser Zeit in dieser Zone, auch über Sommer- und Winterzeit hinweg.
compose-save_draft = Entwurf speichern
compose-schedule = Planen
compose-publish_now = Jetzt veröffentlichen
compose-submit_for_approval = Zur Freigabe einreichen
compose-not_editable = Dieser Beitrag wird gerade veröffentlicht oder wurde veröffentlicht und kann nicht mehr bearbeitet werden.
compose-counter = { $count } / { $max } Zeichen
compose-counter_over = { $count } / { $max } Zeichen: { $over } zu viel
compose-shared_caption_hint = { $count } Zeichen; das kürzeste Limit der gewählten Konten ist { $max } ({ $platform })
compose-no_issues = Bereit: Alle gewählten Konten akzeptieren diesen Beitrag.
compose-issues_count = Fehler: { $errors } · Warnungen: { $warnings }
compose-validating = Wird geprüft …
compose-media_empty = Keine Medien gewählt. Wählen Sie unten aus der Mediathek oder laden Sie Dateien hoch.
compose-library_empty = Ihre Mediathek ist leer. Laden Sie eine Datei hoch, um zu beginnen.
compose-library_error = Die Mediathek konnte nicht geladen werden. Laden Sie die Seite neu, um es erneut zu versuchen.
compose-uploading = { $name } wird hochgeladen …
compose-uploaded = { $name } wurde zur Mediathek hinzugefügt.
compose-upload_failed = { $name } konnte nicht hochgeladen werden: { $reason }
compose-remove_media = Entfernen
compose-move_up = Nach vorne
compose-move_down = Nach hinten
compose-include_media = { $name } verwenden
compose-preview_empty = Noch nichts für die Vorschau.
compose-drive_importing = { $name } wird aus Google Drive importiert …
compose-drive_started = { $name } wird importiert und erscheint in der Mediathek, sobald es fertig ist.
compose-drive_failed = Google Drive konnte nicht gelesen werden: { $reason }
compose-drive_empty = Keine Bilder oder Videos in Google Drive gefunden.
compose-select_media = { $name } wählen
compose-severity_error = Fehler
compose-severity_warning = Warnung
compose-video = Video
compose-image = Bild
compose-tiktok_posting_as = Auf TikTok veröffentlichen als { $name }
compose-tiktok_options_unavailable = TikTok hat nicht mitgeteilt, welche Einstellungen dieses Konto gerade anbietet. Laden Sie die Seite neu, um erneut zu fragen; Herald prüft beim Veröffentlichen ebenfalls.
compose-privacy_choose = Auswählen…
compose-tiktok_privacy_hint = TikTok verlangt eine Auswahl: Es gibt keine Voreinstellung. Zur Wahl steht, was dieses Konto gerade anbietet.
compose-tiktok_allow = Zuschauern erlauben:
compose-tiktok_allow_comments = Kommentieren
compose-tiktok_allow_duets = Duett
compose-tiktok_allow_stitches = Stitch
compose-tiktok_interaction_off = in den TikTok-Einstellungen dieses Kontos ausgeschaltet
compose-tiktok_disclose = Kommerzielle Inhalte offenlegen
compose-tiktok_disclose_hint = Schalten Sie dies ein, wenn das Video Sie selbst, eine Marke, ein Produkt oder eine Dienstleistung bewirbt, und geben Sie dann an, was es bewirbt.
compose-tiktok_own_brand = Ihre Marke
compose-tiktok_own_brand_hint = Sie bewerben sich selbst oder Ihr eigenes Unternehmen. TikTok kennzeichnet das Video als „Werbeinhalt“.
compose-tiktok_branded = Markeninhalt
compose-tiktok_branded_hint = Sie bewerben eine andere Marke oder einen Dritten. TikTok kennzeichnet das Video als „Bezahlte Partnerschaft“. Markeninhalte können nicht privat sein.
compose-tiktok_max_duration = Dieses Konto darf Videos von bis zu { $seconds } Sekunden veröffentlichen.
compose-tiktok_counts_utf16 = TikTok zählt Emojis und einige andere Symbole als zwei Zeichen.
compose-tiktok_declaration = Mit dem Veröffentlichen stimmen Sie der Musiknutzungsbestätigung von TikTok zu.
compose-tiktok_declaration_branded = Mit dem Veröffentlichen stimmen Sie der Richtlinie für Markeninhalte und der Musiknutzungsbestätigung von TikTok zu.

## compose.format
compose-format-text = Text
compose-format-image = Bild
compose-format-carousel = Karussell
compose-format-reel = Reel
compose-format-story = Story
compose-format-video = Video

## compose.privacy
compose-privacy-self_only = Nur ich
compose-privacy-public_to_everyone = Alle
compose-privacy-mutual_follow_friends = Freunde
compose-privacy-follower_of_creator = Follower
compose-privacy-private = Privat
compose-privacy-unlisted = Nicht gelistet
compose-privacy-public = Öffentlich

# Was die Domäne als Code mit Parametern meldet, in Worten: Regelverstöße
# (`issue.<code>`), warum ein Ziel fehlschlug (`failure.<code>`) und die
# Einheiten und Listen ihrer Werte. `$item` ist die Position der
# Mediendatei, oder 0, wenn der Beitrag nur eine hat.
## issue
issue-format_unsupported = { $platform } nimmt keine Beiträge im Format { $format } an; wählen Sie { $offered }.
issue-caption_too_long = Der Text für { $platform } hat { $actual } Zeichen; das Limit ist { $limit }.
issue-too_many_hashtags = { $platform } erlaubt { $limit } Hashtags; dieser Text hat { $actual }.
issue-too_many_mentions = { $platform } erlaubt { $limit } Erwähnungen; dieser Text hat { $actual }.
issue-title_required = { $platform } braucht einen Titel.
issue-title_too_long = Der Titel für { $platform } hat { $actual } Zeichen; das Limit ist { $limit }.
issue-forbidden_character = { $platform } lehnt das Zeichen „{ $character }“ in Titeln und Beschreibungen ab.
issue-link_unsupported = Beiträge auf { $platform } können keinen Link tragen; fügen Sie ihn in den Text ein.
issue-link_invalid = Der Link muss mit https:// oder http:// beginnen.
issue-first_comment_unsupported = Herald kann auf { $platform } keinen ersten Kommentar hinzufügen.
issue-first_comment_too_long = Der erste Kommentar ist länger als die { $limit } Zeichen, die { $platform } erlaubt.
issue-privacy_invalid =
    { $count ->
        [0] Beiträge auf { $platform } haben keine Sichtbarkeitseinstellung.
       *[other] Die Sichtbarkeit auf { $platform } muss eine von diesen sein: { $choices }.
    }
issue-text_empty = Ein Textbeitrag auf { $platform } braucht eine Nachricht oder einen Link.
issue-story_caption_ignored = Storys auf { $platform } zeigen keinen Text.
issue-media_not_allowed = Textbeiträge auf { $platform } nehmen keine Medien; wählen Sie ein anderes Format.
issue-media_count = Ein Beitrag im Format { $format } auf { $platform } braucht { $min } bis { $max } Mediendateien; dieser hat { $actual }.
issue-media_count_exact =
    Ein Beitrag im Format { $format } auf { $platform } braucht genau { $min ->
        [one] { $min } Mediendatei
       *[other] { $min } Mediendateien
    }; dieser hat { $actual }.
issue-media_kind_unsupported =
    { $item ->
        [0] Die Mediendatei
       *[other] Mediendatei { $item }
    } ist { $kind ->
        [image] ein Bild
       *[video] ein Video
    }, und ein Beitrag im Format { $format } auf { $platform } nimmt nur { $kind ->
        [image] Videos
       *[video] Bilder
    }.
issue-media_type_unsupported =
    { $item ->
        [0] Die Mediendatei
       *[other] Mediendatei { $item }
    } ist vom Typ { $mime }; { $platform } nimmt { $accepted }.
issue-media_too_large =
    { $item ->
        [0] Die Mediendatei
       *[other] Mediendatei { $item }
    } ist { $size } groß; { $platform } nimmt höchstens { $limit }.
issue-video_too_short =
    { $item ->
        [0] Die Mediendatei
       *[other] Mediendatei { $item }
    } dauert { $duration }; { $platform } verlangt mindestens { $min }.
issue-video_too_long =
    { $item ->
        [0] Die Mediendatei
       *[other] Mediendatei { $item }
    } dauert { $duration }; { $platform } nimmt höchstens { $max }.
issue-duration_unknown =
    { $item ->
        [0] Bei der Mediendatei
       *[other] Bei Mediendatei { $item }
    } ließ sich die Länge nicht lesen; { $platform } lehnt sie möglicherweise ab.
issue-aspect_ratio =
    { $item ->
        [0] Die Mediendatei
       *[other] Mediendatei { $item }
    } ist { $width }×{ $height } groß (Verhältnis { $ratio }); { $platform } nimmt Verhältnisse von { $min } bis { $max }.
issue-aspect_ratio_not_preferred =
    { $item ->
        [0] Die Mediendatei
       *[other] Mediendatei { $item }
    } ist { $width }×{ $height } groß; { $platform } zeigt Hochformat 9:16 am besten, andere Formate werden beschnitten oder eingerahmt.
issue-account_unknown = Dieses Konto ist nicht mit dem Arbeitsbereich verbunden.
issue-media_missing = Die Mediendatei { $media } ist nicht mehr in der Mediathek.
issue-account_needs_reconnection = { $account } muss neu verbunden werden, bevor es veröffentlichen kann.
issue-provider_unavailable = Das Veröffentlichen auf { $platform } ist hier nicht verfügbar.
issue-caption_too_long_utf16 = Der Text für { $platform } hat { $actual } Zeichen, so wie { $platform } zählt (Emojis zählen doppelt); das Limit ist { $limit }.
issue-privacy_required = Wählen Sie, wer den Beitrag auf { $platform } sehen kann: { $platform } erlaubt keine Voreinstellung.
issue-privacy_not_offered = Dieses { $platform }-Konto bietet „{ $privacy }“ gerade nicht an; wählen Sie { $choices }.
issue-branded_content_private = Markeninhalte auf { $platform } können nicht privat sein; wählen Sie, wer sie noch sehen kann.
issue-disclosure_incomplete = Sie haben die Offenlegung kommerzieller Inhalte eingeschaltet: Geben Sie an, ob der Beitrag auf { $platform } Ihre eigene Marke bewirbt, ein Markeninhalt ist oder beides.
issue-interaction_disabled =
    { $interaction ->
        [comment] Kommentare sind
        [duet] Duette sind
       *[stitch] Stitches sind
    } in den { $platform }-Einstellungen dieses Kontos ausgeschaltet und können hier nicht erlaubt werden.
issue-video_too_long_for_account =
    { $item ->
        [0] Die Mediendatei
       *[other] Mediendatei { $item }
    } dauert { $duration }; dieses { $platform }-Konto darf Videos von bis zu { $max } veröffentlichen.

## failure
failure-platform_said = { $platform } meldete: { $detail }
failure-platform_said_missing_scopes = { $platform } meldete: { $detail } Fehlende Berechtigungen: { $scopes }.
failure-platform_kept_refusing =
    { $platform } lehnte auch nach { $attempts ->
        [one] { $attempts } Versuch
       *[other] { $attempts } Versuchen
    } ab: { $detail }
failure-platform_unconfirmed = { $platform } hat nie bestätigt, ob der Beitrag veröffentlicht wurde ({ $detail }).
failure-account_removed = { $account } wurde aus dem Arbeitsbereich entfernt.
failure-media_deleted = Die Mediendatei { $media } wurde aus der Mediathek gelöscht.
failure-variant_unreadable = Der gespeicherte Beitrag ließ sich nicht lesen: { $detail }
failure-progress_unreadable = Der gespeicherte Veröffentlichungsstand ließ sich nicht lesen; der Beitrag wurde nicht von vorn begonnen (er könnte sonst doppelt erscheinen): { $detail }
failure-account_kind_unknown = Unbekannte Kontoart { $kind }.
failure-provider_unavailable = Das Veröffentlichen auf { $platform } ist in dieser Installation nicht verfügbar.
# TikTok-Veröffentlichung (herald_platforms::publish::tiktok::HINTS)
failure-tiktok_account_must_be_private = TikTok hat den Beitrag abgelehnt, weil die TikTok-App dieses Servers die Prüfung durch TikTok noch nicht bestanden hat: Bis dahin nimmt TikTok nur Beiträge an Konten an, die beim Veröffentlichen privat sind, und zeigt sie nur der Person selbst. Stellen Sie das TikTok-Konto auf privat (in der TikTok-App: Einstellungen und Datenschutz → Datenschutz → Privates Konto) und versuchen Sie es erneut, oder bitten Sie Ihre Administration, die App von TikTok prüfen zu lassen.
failure-tiktok_active_user_cap = Die TikTok-App dieses Servers hat die Prüfung durch TikTok noch nicht bestanden, und TikTok lässt eine solche App für höchstens 5 Konten am Tag veröffentlichen; so viele haben heute schon veröffentlicht. Sie müssen jetzt nichts tun. Um die Grenze aufzuheben, kann Ihre Administration die App von TikTok prüfen lassen.
failure-tiktok_daily_post_cap = Dieses TikTok-Konto hat die tägliche Höchstzahl an Beiträgen über Apps erreicht. Sie müssen jetzt nichts tun.
failure-tiktok_user_banned = TikTok lässt dieses Konto gerade keine neuen Beiträge veröffentlichen. Prüfen Sie das Konto in der TikTok-App.
failure-tiktok_privacy_required = Wählen Sie, wer den TikTok-Beitrag sehen kann, und versuchen Sie es erneut: TikTok erlaubt keine Voreinstellung. Dieses Konto bietet an: { $offered }.
failure-tiktok_privacy_not_offered = TikTok bietet „{ $privacy }“ für dieses Konto gerade nicht an (es bietet an: { $offered }). Die Privatsphäre des Kontos hat sich vielleicht geändert: Wählen Sie in den TikTok-Einstellungen des Beitrags neu und versuchen Sie es erneut.
failure-tiktok_branded_content_private = Markeninhalte können auf TikTok nicht privat veröffentlicht werden. Wählen Sie, wer sie noch sehen kann, und versuchen Sie es erneut.
failure-tiktok_video_too_long = Das Video ist länger, als dieses TikTok-Konto veröffentlichen darf ({ $max_seconds } Sekunden). Kürzen Sie es und versuchen Sie es erneut.
failure-tiktok_caption_too_long = Der Text hat { $actual } Zeichen, so wie TikTok zählt (Emojis zählen doppelt); TikTok nimmt höchstens { $limit }. Kürzen Sie ihn und versuchen Sie es erneut.
failure-tiktok_processing_timeout = TikTok hat das ganze Video erhalten, es aber noch verarbeitet, als Herald nach { $minutes } Minuten aufhörte zu warten. Suchen Sie das Video in der TikTok-App: Ist es dort, wurde es veröffentlicht. Ein neuer Versuch fragt zuerst bei TikTok nach und veröffentlicht nie doppelt.

# YouTube publishing (issue 20): what YouTube did with an upload. `$reason`
# is YouTube's own code, `$video` the video's id on YouTube.
failure-youtube_rejected =
    YouTube hat das Video abgelehnt: { $reason ->
        [claim] ein Rechteinhaber hat es gesperrt.
        [copyright] Urheberrechtsverletzung.
        [duplicate] es gleicht einem Video, das schon auf dem Kanal ist.
        [inappropriate] unangemessene Inhalte.
        [legal] ein rechtlicher Grund.
        [length] es ist für diesen Kanal zu lang.
        [termsOfUse] es verstößt gegen die Nutzungsbedingungen von YouTube.
        [trademark] Markenrechtsverletzung.
        [uploaderAccountClosed] das Konto des Kanals wurde geschlossen.
        [uploaderAccountSuspended] das Konto des Kanals ist gesperrt.
       *[other] { $reason }.
    } Das abgelehnte Video bleibt auf dem Kanal (ID { $video }); Sie können es in YouTube Studio löschen. Ein erneuter Versuch mit derselben Datei wird genauso abgelehnt, wählen Sie also zuerst eine andere Datei.
failure-youtube_failed =
    YouTube konnte das Video nicht verarbeiten: { $reason ->
        [codec] es nutzt einen Codec, den YouTube nicht annimmt.
        [conversion] es ließ sich nicht umwandeln.
        [emptyFile] die Datei ist leer.
        [invalidFile] es ist keine Videodatei, die YouTube lesen kann.
        [tooSmall] die Datei ist zu klein.
        [uploadAborted] der Upload brach ab.
        [uploadFailed] der Upload schlug fehl.
        [transcodeFailed] es ließ sich nicht transkodieren.
        [streamingFailed] es ließ sich nicht fürs Streaming aufbereiten.
        [terminated] die Verarbeitung wurde abgebrochen.
       *[other] { $reason }.
    } Das fehlgeschlagene Video bleibt auf dem Kanal (ID { $video }). Exportieren Sie das Video neu (H.264 in MP4 geht überall), ersetzen Sie es im Beitrag und versuchen Sie es erneut.
failure-youtube_deleted = Das Video (ID { $video }) wurde vom Kanal gelöscht, bevor YouTube es fertig verarbeitet hatte. Versuchen Sie es erneut, um es noch einmal hochzuladen.
failure-youtube_locked_private = YouTube hat das Video auf privat gesetzt, obwohl es { $requested ->
        [unlisted] nicht gelistet
       *[other] öffentlich
    } sein sollte (ID { $video }): Das Google-Cloud-Projekt dieses Herald hat die API-Prüfung von YouTube nicht bestanden, darum sperrt YouTube jeden Upload darüber auf privat. Bitten Sie die Betreiber dieses Herald, das Projekt prüfen zu lassen; bis dahin lässt sich auch in YouTube Studio nichts daran ändern.
failure-youtube_still_processing = YouTube hat das Video (ID { $video }) nach { $minutes } Minuten noch verarbeitet, daher beobachtet Herald es nicht weiter. Es ist auf dem Kanal; ob die Verarbeitung fertig wurde, sehen Sie in YouTube Studio.
failure-youtube_upload_budget_spent = Dieses Herald darf täglich { $limit } Videos zu YouTube hochladen, für alle Arbeitsbereiche zusammen, und die von heute sind aufgebraucht. Der Tag von YouTube endet um Mitternacht pazifischer Zeit.
failure-youtube_quota_exceeded = Das tägliche Upload-Kontingent von YouTube für dieses Herald ist aufgebraucht. Es wird um Mitternacht pazifischer Zeit zurückgesetzt.
failure-youtube_check_quota_exceeded = Das Video ist hochgeladen (ID { $video }), aber das tägliche Kontingent von YouTube für dieses Herald ist aufgebraucht, darum kann Herald noch nicht prüfen, ob YouTube es angenommen hat. Das Kontingent wird um Mitternacht pazifischer Zeit zurückgesetzt.
failure-youtube_channel_upload_limit = Der Kanal hat so viele Videos hochgeladen, wie YouTube ihm pro Tag erlaubt.

# Meta permissions and webhook subscriptions (herald_platforms::meta::HINTS).
failure-first_comment_missing_permission = Der Beitrag ist online, aber { $platform } hat Herald den ersten Kommentar nicht posten lassen: Der Verbindung fehlt die Berechtigung { $scopes }. Poste den Kommentar selbst auf { $platform } und verbinde das Konto neu mit der Erlaubnis, Kommentare zu verwalten, damit der nächste erste Kommentar klappt.

## unit
unit-megabytes = { $n } MB
unit-gigabytes = { $n } GB
unit-minutes = { $n } Min.
unit-seconds = { $n } s
unit-instant_utc = { $day }.{ $month }.{ $year }, { $hour }:{ $minute } UTC

## list
list-or = { $first } oder { $last }

# Benachrichtigungen, gespeichert als Code mit Parametern (`notice.<code>`).
## notice
notice-comment =
    { $count ->
        [one] Neuer Kommentar{ $author_kind ->
            [handle] { " " }von @{ $author }
            [name] { " " }von { $author }
           *[none] { "" }
        } zu { $account }{ $quote_kind ->
            [some] : „{ $quote }“
           *[none] { "" }
        }
       *[other] { $count } neue Kommentare zu { $account }
    }
notice-mention =
    { $count ->
        [one] { $account } wurde erwähnt
       *[other] { $account } wurde { $count }-mal erwähnt
    }
notice-message =
    { $count ->
        [one] Neue Nachricht an { $account }{ $quote_kind ->
            [some] : „{ $quote }“
           *[none] { "" }
        }
       *[other] { $count } neue Nachrichten an { $account }
    }
notice-story_insights =
    { $count ->
        [one] Story-Statistiken für { $account } sind eingetroffen
       *[other] Statistiken für { $count } Storys von { $account } sind eingetroffen
    }
notice-news = Neuigkeiten für { $account }
notice-delivery_dead = Eine Webhook-Zustellung von Meta (#{ $delivery }) ist bei jedem Versuch fehlgeschlagen und wurde zurückgestellt: { $error }
notice-connection_revoked = Der Zugriff auf { $account } wurde bei { $app } entfernt. Verbinden Sie das Konto neu, um weiter zu veröffentlichen.
notice-connection_deleted = { $account } wurde auf Wunsch seines Inhabers aus diesem Arbeitsbereich entfernt (Datenlöschung bei { $app }).
notice-endpoint_gone = Der Webhook-Endpunkt { $host } wurde deaktiviert: Er antwortete mit 410 Gone.
notice-endpoint_failing =
    Der Webhook-Endpunkt { $host } wurde deaktiviert: Seine Zustellungen schlagen seit { $days ->
        [one] { $days } Tag
       *[other] { $days } Tagen
    } fehl.
notice-endpoint_exhausted = Ein Webhook an { $host } ist bei jedem Versuch fehlgeschlagen und wurde aufgegeben; Sie können ihn im Zustellprotokoll erneut senden.
notice-review_requested = { $by } bittet Sie, einen Beitrag freizugeben: „{ $post }“
notice-review_approved = { $by } hat Ihren Beitrag „{ $post }“ freigegeben.
notice-review_changes_requested = { $by } bittet um Änderungen an Ihrem Beitrag „{ $post }“.
notice-review_held = „{ $post }“ wurde nicht veröffentlicht: Sein Zeitpunkt kam, während er noch auf Freigabe wartete.
notice-post_mention = { $by } hat Sie in einem Kommentar zu „{ $post }“ erwähnt.

# Ausgehende Webhooks: Endpunkte, die ein Arbeitsbereich für Heralds Ereignisse registriert.
## endpoints
endpoints-title = Ausgehende Webhooks
endpoints-lead = Senden Sie Heralds Ereignisse – ein Beitrag ist online, ein Beitrag ist fehlgeschlagen, ein Konto muss neu verbunden werden – an Ihre eigenen Systeme, signiert nach Standard Webhooks.
endpoints-back_to_webhooks = Verlauf eingehender Webhooks
endpoints-list_heading = Endpunkte
endpoints-empty_title = Noch keine Endpunkte
endpoints-empty_body = Ein Endpunkt ist eine https-Adresse von Ihnen, die Herald mit einer signierten JSON-Nachricht aufruft, sobald ein gewähltes Ereignis eintritt. Fehlgeschlagene Zustellungen werden etwa 28 Stunden lang wiederholt, und jeder Versuch wird hier mit einer Schaltfläche zum erneuten Senden protokolliert. Legen Sie unten Ihren ersten Endpunkt an.
endpoints-url = Endpunkt-URL
endpoints-url_hint = Eine öffentliche https-Adresse, die mit einem 2xx-Status antwortet. Weiterleitungen werden nicht verfolgt.
endpoints-description = Beschreibung (optional)
endpoints-events = Ereignistypen
endpoints-events_hint = Wählen Sie keinen aus, um alle Ereignistypen zu erhalten, auch später hinzukommende.
endpoints-all_events = Alle Ereignistypen
endpoints-status = Status
endpoints-enabled = Aktiv
endpoints-disabled = Deaktiviert
endpoints-failing_since = Fehlschläge seit
endpoints-created = Angelegt
endpoints-times_in = Zeiten in
endpoints-create_heading = Endpunkt hinzufügen
endpoints-create = Endpunkt hinzufügen
endpoints-verify_heading = Heralds Signatur prüfen
endpoints-verify_body = Jede Nachricht ist ein POST mit JSON-Inhalt und drei Headern nach der Spezifikation Standard Webhooks (standardwebhooks.com), sodass deren Bibliotheken sie prüfen können:
endpoints-verify_id = die Nachrichten-ID; bei jeder Wiederholung gleich, sodass Sie Duplikate ignorieren können.
endpoints-verify_timestamp = der Sendezeitpunkt des Versuchs in Unix-Sekunden; weisen Sie Nachrichten ab, die mehr als 5 Minuten abweichen.
endpoints-verify_signature = v1, gefolgt vom base64-kodierten HMAC-SHA256 von "webhook-id.webhook-timestamp.body"; während eines Secret-Wechsels sind es zwei, durch ein Leerzeichen getrennt, und eine passende genügt.
endpoints-verify_steps = Der Schlüssel ist der base64-Teil Ihres whsec_-Secrets, dekodiert. Berechnen Sie den HMAC über die unveränderten Bytes des Inhalts, nicht über eine neu kodierte Kopie, und vergleichen Sie in konstanter Zeit.
endpoints-verify_retries = Nur eine 2xx-Antwort gilt als zugestellt. Herald wiederholt nach 5 Sekunden, 5 Minuten, 30 Minuten, 2, 5, 10 und 10 Stunden, beachtet Retry-After, hört bei 410 Gone endgültig auf und deaktiviert einen Endpunkt, der 5 Tage lang fehlschlägt.
endpoints-detail_title = Webhook-Endpunkt
endpoints-back_to_list = Alle Endpunkte
endpoints-back_to_endpoint = Zurück zum Endpunkt
endpoints-settings = Endpunkt
endpoints-enable = Aktivieren
endpoints-disable = Deaktivieren
endpoints-send_test = Testereignis senden
endpoints-reveal_secret = Secret anzeigen
endpoints-rotate_secret = Secret wechseln
endpoints-rotate_confirm = Ein neues Signatur-Secret erzeugen? Das bisherige funktioniert noch 24 Stunden.
endpoints-rotate_hint = Ein Wechsel erzeugt sofort ein neues Secret; das alte signiert noch 24 Stunden mit, sodass Sie Ihren Empfänger umstellen können, ohne Nachrichten zu verlieren.
endpoints-secret_new = Signatur-Secret
endpoints-secret_once = Kopieren Sie es jetzt: Nur dieses eine Mal zeigt Herald es ohne Nachfrage. Wer dieses Secret kennt, kann Nachrichten im Namen von Herald fälschen – bewahren Sie es bei Ihren anderen Zugangsdaten auf.
endpoints-secret_current = Signatur-Secrets
endpoints-secret_current_note = Mit diesem Secret prüft Ihr Empfänger. Bewahren Sie es bei Ihren anderen Zugangsdaten auf.
endpoints-secret_previous_note = Das erste ist das aktuelle Secret; das folgende ist das vorherige, das noch mitsigniert, bis seine 24 Stunden abgelaufen sind.
endpoints-secret_rotated = Neues Signatur-Secret
endpoints-secret_rotated_note = Kopieren Sie es jetzt und stellen Sie Ihren Empfänger um. Das alte Secret funktioniert noch 24 Stunden: Bis dahin trägt jede Nachricht zwei Signaturen.
endpoints-log_heading = Zustellprotokoll
endpoints-filter_state = Zustand
endpoints-state_all = Alle Zustände
endpoints-filter = Anzeigen
endpoints-log_empty_title = Noch nichts zugestellt
endpoints-log_empty_body = Zustellungen erscheinen hier, sobald ein abonniertes Ereignis eintritt. Senden Sie ein Testereignis, um Ihren Empfänger zu prüfen.
endpoints-select = Auswählen
endpoints-event_column = Ereignistyp
endpoints-message_id = Nachrichten-ID
endpoints-state_column = Zustand
endpoints-attempts = Versuche
endpoints-last_result = Letztes Ergebnis
endpoints-next_attempt = Nächster Versuch
endpoints-replay_selected = Auswahl erneut senden
endpoints-replay_since = Fehlgeschlagene Zustellungen erneut senden seit
endpoints-replay_failed = Fehlgeschlagene erneut senden
endpoints-replay_since_hint = Jede fehlgeschlagene oder wiederholte Zustellung ab diesem Zeitpunkt erhält einen neuen Versuch. Zeitzone:
endpoints-edit_heading = Endpunkt ändern
endpoints-save = Änderungen speichern
endpoints-delete_heading = Endpunkt löschen
endpoints-delete_confirm = Ja, diesen Endpunkt und sein Zustellprotokoll löschen. Es wird nichts mehr an ihn gesendet.
endpoints-delete = Endpunkt löschen
endpoints-delivery_title = Webhook-Zustellung
endpoints-replay = Erneut senden
endpoints-replay_hint = Sendet dieselbe Nachricht (gleiche webhook-id) als neuen Versuch, der unten protokolliert wird.
endpoints-attempts_heading = Versuche
endpoints-no_attempts = Noch kein Versuch; der erste ist unterwegs.
endpoints-attempt_at = Gesendet
endpoints-http_status = HTTP-Status
endpoints-duration = Dauer
endpoints-error = Fehler
endpoints-response = Antwort (erstes KiB)
endpoints-replayed_by = Erneut gesendet von
endpoints-payload = Inhalt
endpoints-former_member = Ein ehemaliges Mitglied

## endpoints.done
endpoints-done-created = Endpunkt hinzugefügt. Herald sendet ihm ab jetzt die gewählten Ereignisse.
endpoints-done-updated = Endpunkt gespeichert.
endpoints-done-enabled = Endpunkt aktiviert. Neue Ereignisse werden wieder zugestellt.
endpoints-done-disabled = Endpunkt deaktiviert. Bis Sie ihn wieder aktivieren, wird nichts an ihn gesendet.
endpoints-done-rotated = Ein neues Secret ist in Gebrauch.
endpoints-done-test_sent = Testereignis eingereiht. Es erscheint mit seinem Ergebnis unten im Protokoll.
endpoints-done-deleted = Endpunkt gelöscht.
endpoints-done-replayed = Erneutes Senden eingereiht: Ein neuer Versuch ist unterwegs.
endpoints-done-nothing_replayed = Es gab nichts erneut zu senden. Zustellungen an einen deaktivierten Endpunkt werden erst wieder gesendet, wenn er aktiviert ist.

## endpoints.disabled_reason
endpoints-disabled_reason-gone = Der Endpunkt hat mit 410 Gone geantwortet, daher sendet Herald nicht mehr an ihn.
endpoints-disabled_reason-failing = Fünf Tage lang ist jede Zustellung fehlgeschlagen, daher sendet Herald nicht mehr an ihn.
endpoints-disabled_reason-manual = Von einer Person in diesem Arbeitsbereich deaktiviert.

## endpoints.state
endpoints-state-pending = Wartend
endpoints-state-succeeded = Zugestellt
endpoints-state-retrying = Wird wiederholt
endpoints-state-dead = Fehlgeschlagen

## endpoints.event
endpoints-event-post-published = Ein Beitrag ist auf einer Plattform online gegangen.
endpoints-event-post-failed = Ein Beitrag konnte auf einer Plattform nicht veröffentlicht werden.
endpoints-event-connection-needs_reconnection = Ein verbundenes Konto muss neu verbunden werden.
endpoints-event-connection-revoked = Der Zugriff auf ein verbundenes Konto wurde auf der Plattform entfernt.
endpoints-event-webhook-endpoint_test = Eine von Herald gesendete Testnachricht.
endpoints-event-notification-raised = Eine Benachrichtigung für die Mitglieder des Arbeitsbereichs (Art, Code und Parameter).

# Eingehende Webhooks: die Zustellungen von Meta, ihre Versuche und Wiederholung.
## webhooks
webhooks-title = Webhooks
webhooks-lead = Jedes Ereignis, das Meta für die Konten dieses Arbeitsbereichs gesendet hat: geprüft, gespeichert und verarbeitet, mit jedem Versuch und einer Schaltfläche zum Wiederholen.
webhooks-outbound_link = Ausgehende Endpunkte
webhooks-filters = Zustellungen filtern
webhooks-status_label = Status
webhooks-any = Alle
webhooks-object = Objekt
webhooks-field = Feld
webhooks-fields = Felder
webhooks-from = Empfangen ab
webhooks-to = Empfangen vor
webhooks-search = Text im Inhalt
webhooks-search_hint = Eine Id, ein Benutzername oder Wörter eines Kommentars.
webhooks-zone_note = Zeiten werden in { $zone } angezeigt und gelesen.
webhooks-apply = Filtern
webhooks-clear = Filter zurücksetzen
webhooks-empty_title = Noch keine Ereignisse empfangen
webhooks-empty_body = Sobald Meta ein Ereignis für ein mit diesem Arbeitsbereich verbundenes Konto sendet (einen Kommentar, eine Erwähnung, eine Nachricht, Story-Statistiken), erscheint es hier mit seinem Verarbeitungsstand.
webhooks-empty_filtered_title = Keine passenden Zustellungen
webhooks-empty_filtered_body = Versuchen Sie einen größeren Zeitraum oder weniger Filter.
webhooks-table_caption = Zustellungen, neueste zuerst
webhooks-select = Auswählen
webhooks-received = Empfangen
webhooks-entry_ids = Konto-Ids
webhooks-attempts = Versuche
webhooks-last_error = Letzter Fehler
webhooks-replay_selected = Ausgewählte wiederholen
webhooks-newest = Neueste
webhooks-older = Ältere Zustellungen
webhooks-replay_failed_heading = Fehlgeschlagene Zustellungen wiederholen
webhooks-replay_failed_hint = Jede fehlgeschlagene oder auf eine Wiederholung wartende Zustellung, die ab diesem Zeitpunkt empfangen wurde, bekommt jetzt einen neuen Versuch.
webhooks-replay_since = Empfangen seit
webhooks-replay_failed = Alle fehlgeschlagenen wiederholen
webhooks-notifications_link = Festlegen, welche Benachrichtigungen Sie erhalten
webhooks-detail_title = Zustellung
webhooks-back = Alle Zustellungen
webhooks-processed = Verarbeitet
webhooks-entries = Einträge
webhooks-size = Größe
webhooks-replay = Wiederholen
webhooks-routes = Zugeordnet zu
webhooks-no_routes = Kein mit diesem Arbeitsbereich verbundenes Konto passt zu den Einträgen dieser Zustellung.
webhooks-attempts_heading = Versuche
webhooks-no_attempts = Noch kein Versuch: Der erste ist eingeplant.
webhooks-trigger = Auslöser
webhooks-started = Begonnen
webhooks-finished = Beendet
webhooks-outcome_label = Ergebnis
webhooks-summary = Was übernommen wurde
webhooks-summary_comments =
    { $n ->
        [one] { $n } Kommentar
       *[other] { $n } Kommentare
    }
webhooks-summary_mentions =
    { $n ->
        [one] { $n } Erwähnung
       *[other] { $n } Erwähnungen
    }
webhooks-summary_messages =
    { $n ->
        [one] { $n } Nachricht
       *[other] { $n } Nachrichten
    }
webhooks-summary_insights =
    { $n ->
        [one] { $n } Aktualisierung der Story-Insights
       *[other] { $n } Aktualisierungen der Story-Insights
    }
webhooks-summary_removed =
    { $n ->
        [one] { $n } Entfernung
       *[other] { $n } Entfernungen
    }
webhooks-summary_ignored = { $n } ignoriert
webhooks-summary_unrouted = kein verbundenes Konto für { $ids }
webhooks-summary_unrouted_more = kein verbundenes Konto für { $ids } und { $more } weitere
webhooks-summary_nothing = nichts zu übernehmen
webhooks-summary_succeeded = übernommen
webhooks-summary_retrying = fehlgeschlagen; ein weiterer Versuch ist geplant
webhooks-summary_dead = fehlgeschlagen; kein weiterer Versuch ist geplant
webhooks-error = Fehler
webhooks-trigger_automatic = Automatisch
webhooks-trigger_replay_by = Wiederholt von { $name }
webhooks-trigger_replay = Wiederholt von einem ehemaligen Mitglied
webhooks-headers = Header
webhooks-headers_hint = Wie empfangen. Signaturen, Cookies und Anmeldedaten sind maskiert.
webhooks-header_name = Name
webhooks-header_value = Wert
webhooks-payload = Inhalt
webhooks-payload_hint = Der Inhalt, wie Meta ihn gesendet hat, zum Lesen eingerückt.

## webhooks.status
webhooks-status-received = Empfangen
webhooks-status-processed = Verarbeitet
webhooks-status-retrying = Wird wiederholt
webhooks-status-dead = Fehlgeschlagen

## webhooks.outcome
webhooks-outcome-running = Läuft
webhooks-outcome-succeeded = Erfolgreich
webhooks-outcome-failed = Fehlgeschlagen

## webhooks.done
webhooks-done-replayed = Zur Wiederholung eingeplant: { $count }.
webhooks-done-replay_queued = Wiederholung eingeplant. Der neue Versuch erscheint unten, sobald er gelaufen ist.

# Benachrichtigungen in Herald und die Auswahl jeder Person.
## notifications
notifications-title = Benachrichtigungen
notifications-lead = Was auf Ihren verbundenen Konten und mit den Webhooks dieses Arbeitsbereichs passiert ist.
notifications-settings_link = Benachrichtigungseinstellungen
notifications-empty_title = Keine Benachrichtigungen
notifications-empty_body = Neue Kommentare, Erwähnungen und Nachrichten, fehlgeschlagene Webhook-Zustellungen und entfernte Verbindungen erscheinen hier.
notifications-mark_all_read = Alle als gelesen markieren
notifications-unread = ungelesen
notifications-new = Neu
notifications-open = Öffnen
notifications-settings_title = Benachrichtigungseinstellungen
notifications-settings_lead = Wählen Sie, welche Benachrichtigungen Sie in diesem Arbeitsbereich erhalten. Andere Mitglieder wählen selbst.
notifications-settings_legend = Benachrichtigen bei
notifications-workspace = Arbeitsbereich
notifications-save = Speichern
notifications-view_all = Meine Benachrichtigungen anzeigen
notifications-from_settings = Benachrichtigungseinstellungen für diesen Arbeitsbereich

## notifications.kind
notifications-kind-comment = Kommentare
notifications-kind-mention = Erwähnungen
notifications-kind-message = Direktnachrichten
notifications-kind-story_insights = Story-Statistiken
notifications-kind-delivery_dead = Fehlgeschlagene Webhook-Zustellungen
notifications-kind-connection_revoked = Entfernte Verbindungen
notifications-kind-endpoint_failing = Fehlerhafte ausgehende Endpunkte
notifications-kind-approval = Freigaben
notifications-kind-post_mention = Erwähnungen im Team

## notifications.describe
notifications-describe-comment = Ein neuer Kommentar zu einem Beitrag eines verbundenen Kontos.
notifications-describe-mention = Ein verbundenes Konto wurde in einem Beitrag oder Kommentar erwähnt.
notifications-describe-message = Eine Direktnachricht an ein verbundenes Konto.
notifications-describe-story_insights = Die Statistiken einer Story sind nach ihrem Ablauf eingetroffen. Aus, solange Sie es nicht einschalten.
notifications-describe-delivery_dead = Ein Ereignis von Meta ist bei jedem Versuch fehlgeschlagen und wartet auf eine Wiederholung.
notifications-describe-connection_revoked = Jemand hat Herald den Zugriff auf Facebook oder Instagram entzogen.
notifications-describe-endpoint_failing = Ein ausgehender Webhook-Endpunkt dieses Arbeitsbereichs wurde abgeschaltet oder hat alle Wiederholungen aufgebraucht.
notifications-describe-approval = Ein Beitrag wartet auf Ihre Freigabe, Ihr Beitrag wurde freigegeben oder soll geändert werden, oder ein Beitrag wurde zurückgehalten, weil er nicht rechtzeitig freigegeben war.
notifications-describe-post_mention = Jemand aus dem Team hat Sie in einem Kommentar zu einem Beitrag erwähnt.

## notifications.done
notifications-done-all_read = Alle Benachrichtigungen sind als gelesen markiert.
notifications-done-saved = Ihre Benachrichtigungseinstellungen wurden gespeichert.

# Die öffentliche Statusseite einer Löschanfrage von Meta.
## deletion
deletion-title = Anfrage zur Datenlöschung
deletion-lead = Meta hat eine Anfrage weitergegeben, die Daten zu löschen, die Herald über eine Facebook- oder Instagram-Verbindung erhalten hat. Diese Seite zeigt, wie weit sie ist.
deletion-code = Bestätigungscode
deletion-state_label = Status
deletion-requested = Angefragt
deletion-completed = Abgeschlossen
deletion-not_yet = Noch nicht
deletion-connections_removed = Entfernte verbundene Konten
deletion-items_removed = Entfernte Kommentare, Erwähnungen, Nachrichten und Statistiken
deletion-find_lead = Geben Sie den Bestätigungscode ein, den Sie von Facebook oder Instagram erhalten haben, um den Stand Ihrer Löschanfrage zu sehen.
deletion-find = Stand anzeigen
deletion-unknown_code = Zu diesem Bestätigungscode gibt es keine Löschanfrage. Bitte prüfen Sie den Code und versuchen Sie es erneut.
deletion-privacy_link = Datenschutzhinweise
deletion-lookup_link = Stand einer Anfrage zur Datenlöschung ansehen

## deletion.state
deletion-state-received = Eingegangen
deletion-state-in_progress = In Bearbeitung
deletion-state-completed = Abgeschlossen

## deletion.explain
deletion-explain-received = Die Anfrage ist erfasst; die Löschung beginnt in Kürze.
deletion-explain-in_progress = Die Daten werden gerade gelöscht.
deletion-explain-completed = Die Daten, die Herald über diese Verbindung hatte, sind gelöscht. Kopien in den Sicherungen des Betreibers verschwinden, sobald er diese Sicherungen ersetzt.

# Wie lange welche Daten aufbewahrt werden: aus der Aufbewahrungsregel des
# Codes (herald::retention::policy) erzeugt.
## retention
retention-account = Ihr Konto und die Inhalte Ihres Arbeitsbereichs: bis Sie sie löschen.
retention-platform_tokens = Plattform-Tokens: bis Sie das Konto trennen oder die Plattform sie widerruft.
retention-webhook_deliveries = Empfangene Plattformereignisse und Zustellprotokolle: { $period }.
retention-mail = E-Mails, die Herald Ihnen geschickt hat: { $period }; die Links in unserer Kopie funktionieren nicht mehr, sobald die E-Mail versandt ist.
retention-sessions = Anmeldesitzungen: bis Sie sich abmelden oder sie ablaufen ({ $idle } ungenutzt, höchstens { $max }).
retention-devices = Apps und Geräte, mit denen Sie sich angemeldet haben: bis Sie sie abmelden ({ $idle } ungenutzt, höchstens { $max }).
retention-verify_links = Links zur Bestätigung der E-Mail-Adresse: bis sie benutzt werden, höchstens { $period }.
retention-reset_links = Links zum Zurücksetzen des Passworts: bis sie benutzt werden, höchstens { $period }.
retention-invitations = Einladungen: bis sie angenommen werden, höchstens { $period }.
retention-connect_attempts = Plattformverbindungen, die gerade eingerichtet werden: { $period }.
retention-audit = Das Aktivitätsprotokoll: { $period }.
retention-exports = Downloads Ihrer Daten: { $period }, dann wird das Archiv gelöscht.
retention-deleted_accounts = Ein Konto, dessen Löschung Sie verlangt haben: { $period }, in denen Sie es sich anders überlegen können, dann wird es gelöscht, zusammen mit den Arbeitsbereichen, deren Löschung Sie gewählt haben, und denen, in denen sonst niemand arbeitet.

## time
time-minutes =
    { $n ->
        [one] { $n } Minute
       *[other] { $n } Minuten
    }
time-hours =
    { $n ->
        [one] { $n } Stunde
       *[other] { $n } Stunden
    }
time-days =
    { $n ->
        [one] { $n } Tag
       *[other] { $n } Tage
    }

# Einstellungen → Plattformprüfung.
## review
review-title = Plattformprüfung
review-lead = Was die App-Registrierung und Prüfung jeder Plattform von dieser Instanz brauchen: die einzutragenden Adressen, jede Berechtigung, die Herald anfragt, und wofür, sowie Live-Prüfungen dessen, was ein Prüfer ausprobieren wird.
review-instance = Diese Instanz
review-ok = Bereit
review-todo = Offen
review-check_mode = Modus
review-mode_production = Produktionsmodus: Entwicklungshilfen sind ausgeschaltet.
review-mode_development = Entwicklungsmodus: Erzeugte Geheimnisse und Entwicklungsseiten sind eingeschaltet. Prüfer müssen eine Instanz im Produktionsmodus sehen (HERALD_MODE=production).
review-check_privacy = Datenschutzerklärung
review-check_terms = Nutzungsbedingungen
review-check_deletion_page = Statusseite für Löschanfragen
review-probe_ok = { $url } antwortet über https.
review-probe_not_https = { $url } antwortet, aber nicht über https; Plattformen akzeptieren nur https-Adressen. Betreiben Sie Herald hinter TLS und setzen Sie HERALD_PUBLIC_URL auf die https-Adresse.
review-probe_status = { $url } antwortete mit Status { $status }.
review-probe_timeout = { $url } hat nicht rechtzeitig geantwortet.
review-probe_unreachable = { $url } war von diesem Server aus nicht erreichbar. Prüfen Sie HERALD_PUBLIC_URL und Ihren Proxy.
review-check_operator = Betreiber genannt
review-operator_missing = Datenschutzerklärung und Nutzungsbedingungen sagen nicht, wer diese Instanz betreibt. Setzen Sie HERALD_OPERATOR_NAME und HERALD_OPERATOR_CONTACT.
review-check_credentials = App-Zugangsdaten
review-credentials_set = App-ID und Geheimnis sind gesetzt.
review-credentials_sandbox = Nicht gesetzt: Diese Plattform verbindet sich mit der eingebauten Sandbox.
review-credentials_missing = Nicht gesetzt: Diese Plattform wird nicht angeboten.
review-check_verify_token = Webhook-Verifizierungstoken
review-verify_token_set = Gesetzt (HERALD_META_VERIFY_TOKEN); tragen Sie denselben Wert in den Webhook-Einstellungen der App ein.
review-verify_token_missing = Nicht gesetzt: Metas Abonnement-Handshake wird abgelehnt. Setzen Sie HERALD_META_VERIFY_TOKEN.
review-status_real = Echte App
review-status_sandbox = Sandbox
review-status_off = Nicht angeboten
review-app_facebook = Facebook Login (Facebook-Seiten und ihre Instagram-Konten)
review-app_instagram = Instagram Login (Instagram ohne Seite)
review-app_tiktok = TikTok Login Kit und Content Posting
review-app_youtube = Google OAuth für YouTube
review-urls = Einzutragende Adressen
review-url_redirect = OAuth-Weiterleitungs-URI
review-url_privacy = URL der Datenschutzerklärung
review-url_terms = URL der Nutzungsbedingungen
review-url_webhook = Webhook-Callback-URL
review-url_deauthorize = Callback-URL für das Entziehen der Autorisierung
review-url_data_deletion = URL für Datenlöschungsanfragen
review-url_deletion_status = Statusseite für Löschanfragen
review-permissions = Berechtigungen, die Herald anfragt
review-permission = Berechtigung
review-needed = Nötig
review-used_for = Wofür sie genutzt wird
review-required = Erforderlich
review-optional = Optional
review-testers = Testen vor der Prüfung
review-testers_meta = Solange die App im Entwicklungsmodus ist, können sich nur Personen mit einer Rolle in der App verbinden: Fügen Sie sie unter App-Rollen hinzu (Instagram-Konten als Instagram-Tester, die die Einladung in ihren Instagram-Einstellungen annehmen). Verbinden Sie hier eine Test-Seite und ein Instagram-Konto, veröffentlichen Sie einen Beitrag und zeichnen Sie jede Berechtigung im Einsatz für die Prüfung auf.
review-testers_tiktok = Bis die App TikToks Audit bestanden hat, ist jeder direkte Beitrag privat (SELF_ONLY), höchstens 5 Personen können innerhalb von 24 Stunden posten, und ihre Konten müssen beim Posten privat sein. Verbinden Sie hier ein privates Testkonto und veröffentlichen Sie ein privates Video für die Aufzeichnung zur Prüfung.
review-testers_google = Solange der OAuth-Zustimmungsbildschirm im Test ist, können sich nur eingetragene Testnutzer verbinden, und ihre Aktualisierungstokens laufen nach 7 Tagen ab. Tragen Sie Testnutzer ein, verbinden Sie hier einen Kanal und laden Sie ein Video hoch; die als sensibel oder eingeschränkt markierten Bereiche brauchen Googles Überprüfung, bevor Sie die App veröffentlichen.
review-guide = Schritt für Schritt: docs/connectors/{ $file }.md im Repository von Herald.

## review.purpose
review-purpose-list_pages = Listet die Facebook-Seiten, auf denen Sie veröffentlichen können, damit Sie auswählen, welche verbunden werden.
review-purpose-read_pages = Liest Name und Bild jeder Seite sowie ihre letzten Beiträge, um zu sehen, was ein unterbrochener Versuch schon veröffentlicht hat.
review-purpose-publish_pages = Veröffentlicht Beiträge, Fotos und Videos auf der Seite.
review-purpose-read_instagram = Liest Name, Bild und Medien des professionellen Instagram-Kontos, um es zu verbinden und zu prüfen, was ein unterbrochener Versuch schon veröffentlicht hat.
review-purpose-publish_instagram = Veröffentlicht Fotos, Videos, Reels und Karussells im Instagram-Konto.
review-purpose-business_pages = Listet Seiten, die einem Business-Portfolio gehören, damit auch sie verbunden werden können.
review-purpose-insights = Liest die Statistiken des Kontos und seiner Beiträge (Aufrufe, Reichweite, Interaktionen, Follower) für die Auswertungen und empfängt die Statistiken von Storys, die Meta als Webhooks sendet.
review-purpose-comments = Empfängt Kommentare und Erwähnungen als Webhooks und veröffentlicht den ersten Kommentar eines Beitrags.
review-purpose-identify_tiktok = Liest ID, Anzeigenamen und Avatar des TikTok-Kontos, um es zu verbinden.
review-purpose-publish_tiktok = Veröffentlicht Videos direkt im TikTok-Konto.
review-purpose-tiktok_username = Liest den @Benutzernamen des Kontos, um zu zeigen, welches Konto verbunden ist.
review-purpose-publish_youtube = Lädt Videos in den Kanal hoch.
review-purpose-list_channels = Listet die Kanäle des Google-Kontos und prüft, was ein unterbrochener Upload schon veröffentlicht hat.
review-purpose-identify_google = Erkennt das Google-Konto, damit eine erneute Verbindung dieselbe Verbindung aktualisiert.
review-purpose-drive_import = Importiert Mediendateien, die Sie in Ihrem Google Drive auswählen, in die Mediathek.
review-purpose-engage_pages = Veröffentlicht den ersten Kommentar eines Facebook-Beitrags als Seite und beantwortet, verbirgt und löscht Kommentare zu den Beiträgen der Seite aus dem Posteingang.
review-purpose-webhooks = Schaltet Metas Webhooks für die Seite und ihr Instagram-Konto ein (subscribed_apps), damit Kommentare, Erwähnungen und Nachrichten im Posteingang ankommen. Ohne sie sendet Meta Herald nichts; Veröffentlichen funktioniert weiter.
review-purpose-business_roles = Nur nötig, wenn deine Rolle auf einer Seite über ein Business-Portfolio (Business Manager) kommt: Meta verlangt sie dann zusätzlich, bevor Herald für die Seite und ihr Instagram-Konto handeln darf. Herald liest keine Werbedaten.
review-purpose-messages = Beantwortet Direktnachrichten und sendet private Antworten auf Kommentare aus dem Posteingang, innerhalb des Nachrichtenfensters der Plattform.
review-purpose-engage_youtube = Liest die Kommentare zu den Videos des Kanals, beantwortet sie und hält sie zur Prüfung zurück, aus dem Posteingang.
review-purpose-tiktok_insights = Liest die Follower-, Like- und Videozahlen des Kontos sowie Aufrufe, Likes, Kommentare und Shares jedes Videos, für die Analysen.
review-purpose-youtube_insights = Liest die YouTube-Analytics-Berichte des Kanals (Aufrufe, Wiedergabezeit, gewonnene und verlorene Abonnenten), für die Analysen.

# Einstellungen → Ihre Daten.
## data
data-title = Ihre Daten
data-lead = Wozu Sie zugestimmt haben, eine Kopie von allem, was diese Instanz über Sie speichert, und das Löschen Ihres Kontos.
data-consents = Wozu Sie zugestimmt haben
data-no_consents = Für dieses Konto ist keine Zustimmung gespeichert: Es wurde angelegt, bevor Zustimmungen aufgezeichnet wurden.
data-document = Dokument
data-version = Version
data-accepted = Akzeptiert
data-document_privacy = Datenschutzerklärung
data-document_terms = Nutzungsbedingungen
data-export = Meine Daten herunterladen
data-export_body = Ein Archiv (ZIP) mit Ihrem Konto, Ihren Zustimmungen, Anmeldungen und Geräten, Ihrem Aktivitätsprotokoll und Ihren Benachrichtigungen sowie jedem Arbeitsbereich, der Ihnen gehört: seine Beiträge mit jedem Veröffentlichungsversuch, verbundene Konten (nie ihre Tokens), Webhook-Endpunkte (nie ihre Geheimnisse) und seine Mediendateien. Wir schreiben Ihnen, sobald es fertig ist; es kann 7 Tage lang heruntergeladen werden.
data-export_submit = Mein Archiv vorbereiten
data-requested = Angefordert
data-state = Stand
data-expires = Verfügbar bis
data-download = Herunterladen
data-export_pending = Wird vorbereitet
data-export_ready = Fertig
data-export_failed = Fehlgeschlagen: erneut anfordern
data-delete = Mein Konto löschen
data-delete_body = Ihr Konto wird { $days ->
        [one] { $days } Tag
       *[other] { $days } Tage
    } nach Ihrer Anfrage gelöscht: Bis dahin können Sie sich anmelden und abbrechen. Sie werden sofort überall abgemeldet. Danach werden Ihr Konto, Ihre Anmeldungen, Geräte und Mitgliedschaften gelöscht, ebenso jeder unten genannte Arbeitsbereich, der mit ihm geht.
data-solo = In diesen Arbeitsbereichen ist sonst niemand; sie werden mit Ihrem Konto gelöscht:
data-kept = Diese Arbeitsbereiche haben einen weiteren Eigentümer und bleiben bestehen; Sie verlassen sie:
data-shared = { $name } wird mit anderen geteilt, und Sie sind der einzige Eigentümer:
data-hand_over_to = An { $name } übergeben (wird Eigentümer)
data-delete_workspace_choice = Mit allem Inhalt löschen
data-confirm_password = Ihr Passwort zur Bestätigung
data-delete_submit = Mein Konto löschen
data-pending = Ihr Konto wird am { $date } gelöscht. Bis dahin können Sie abbrechen.
data-cancel_deletion = Mein Konto behalten
data-scheduled_title = Ihr Konto wird gelöscht
data-scheduled_lead = Ihr Konto wird am { $date } gelöscht.
data-scheduled_body = Sie wurden überall abgemeldet. Wenn Sie es sich vorher anders überlegen, melden Sie sich an und wählen Sie unter Einstellungen → Ihre Daten „Mein Konto behalten“. Wir haben Ihnen dazu eine E-Mail geschickt.
data-scheduled_login = Anmelden, um abzubrechen

## data.done
data-done-export_requested = Ihr Archiv wird vorbereitet. Wir schreiben Ihnen, sobald es fertig ist.
data-done-deletion_cancelled = Ihr Konto wird nicht gelöscht.
data-done-nothing_to_cancel = Es war keine Löschung geplant.

## mail.deletion_scheduled
mail-deletion_scheduled-subject = Ihr Herald-Konto wird am { $date } gelöscht
mail-deletion_scheduled-body = Sie haben verlangt, Ihr Herald-Konto zu löschen. Es wird am { $date } gelöscht, zusammen mit den Arbeitsbereichen, deren Löschung Sie gewählt haben. Bis dahin können Sie sich anmelden und es unter Einstellungen → Ihre Daten behalten. Wenn Sie das nicht waren, melden Sie sich sofort an, brechen Sie ab und ändern Sie Ihr Passwort.
mail-deletion_scheduled-action = Anmelden, um abzubrechen

## mail.export_ready
mail-export_ready-subject = Ihre Herald-Daten stehen zum Download bereit
mail-export_ready-body = Das angeforderte Archiv Ihrer Daten ist fertig. Laden Sie es innerhalb von 7 Tagen unter Einstellungen → Ihre Daten herunter; danach wird es gelöscht.
mail-export_ready-action = Meine Daten herunterladen

## Access tokens (personal, app and assistant tokens with scopes)
error-insufficient_scope = Die Berechtigungen dieses Tokens erlauben das nicht. Erstellen Sie ein Token mit der nötigen Berechtigung oder melden Sie sich selbst an.
error-token_scope_beyond_role = Ihre Rolle erlaubt kein Token mit diesen Berechtigungen. Ein Token darf nie mehr als Sie.
error-token_name_required = Geben Sie dem Token einen Namen, zum Beispiel den der App oder des Assistenten, die es nutzen.
error-token_name_too_long = Der Name des Tokens darf höchstens 100 Zeichen lang sein.
error-token_name_taken = Sie haben in diesem Arbeitsbereich schon ein Token mit diesem Namen. Wählen Sie einen anderen Namen oder widerrufen Sie zuerst das alte Token.
error-token_kind_unknown = Die Art des Tokens muss personal, app oder assistant sein.
error-token_scope_unknown = Eine der Berechtigungen gibt es nicht. Wählen Sie aus den aufgeführten Berechtigungen.
error-token_scope_duplicate = Eine Berechtigung ist doppelt angegeben. Nennen Sie jede nur einmal.
error-token_scopes_required = Wählen Sie mindestens eine Berechtigung. Nur Assistenten-Tokens haben voreingestellte Berechtigungen.
error-token_scope_not_for_assistants = Ein Assistenten-Token darf nie Beiträge freigeben. Lassen Sie posts:approve weg.
error-token_expiry_past = Das Ablaufdatum liegt in der Vergangenheit. Wählen Sie ein künftiges Datum oder keines.
error-token_expiry_invalid = Geben Sie das Ablaufdatum als Datum an, etwa 2027-01-31.
settings-done-token_revoked = Das Token wurde widerrufen. Es funktioniert ab sofort nicht mehr.
tokens-title = Zugriffstokens
tokens-lead = Mit Tokens nutzen Apps, Skripte und KI-Assistenten die API von Herald in diesem Arbeitsbereich – nur mit den Berechtigungen, die Sie wählen, und nie mit mehr, als Ihre Rolle gerade erlaubt. Sie funktionieren nicht mehr, sobald sie ablaufen, Sie sie widerrufen oder Sie den Arbeitsbereich verlassen.
tokens-empty = Noch keine Tokens.
tokens-name = Name
tokens-kind = Art
tokens-scopes = Berechtigungen
tokens-expires = Läuft ab
tokens-creator = Erstellt von
tokens-never = nie
tokens-expired = abgelaufen
tokens-new = Neues Token
tokens-scopes_hint = Ein Assistenten-Token ohne angekreuzte Berechtigungen erhält die Voreinstellung: Konten, Beiträge und Statistiken lesen, Entwürfe schreiben, Medien hochladen. Es gibt nie etwas frei und veröffentlicht nur, wenn Sie posts:write ankreuzen.
tokens-expires_on = Gültig bis einschließlich (optional)
tokens-expires_hint = Das Token gilt bis zum Ende dieses Tages (UTC). Leer lassen für ein Token ohne Ablauf.
tokens-create = Token erstellen
tokens-kind-personal = Persönlich
tokens-kind-app = App
tokens-kind-assistant = Assistent
tokens-kind_hint-personal = für Ihre eigenen Skripte
tokens-kind_hint-app = für eine Anwendung, die in diesem Arbeitsbereich arbeitet
tokens-kind_hint-assistant = für einen KI-Agenten; seine Aktionen werden als in Ihrem Auftrag über ihn ausgeführt protokolliert
tokens-scope-accounts_read = verbundene Konten sehen
tokens-scope-posts_read = Beiträge, ihre Ergebnisse und die Mediathek sehen
tokens-scope-drafts_write = Entwürfe schreiben
tokens-scope-posts_write = Beiträge schreiben, planen, veröffentlichen, stoppen und löschen
tokens-scope-posts_approve = Beiträge freigeben oder Änderungen anfordern
tokens-scope-media_write = Medien hochladen (zum Löschen braucht es zusätzlich posts:write)
tokens-scope-analytics_read = Statistiken lesen
tokens-scope-webhooks_manage = Webhook-Zustellungen sehen und Webhook-Endpunkte verwalten
tokens-scope-inbox_read = den Posteingang lesen: Kommentare, Erwähnungen und Nachrichten
tokens-scope-inbox_write = Posteingangseinträge zuweisen, Notizen schreiben und sie erledigen
tokens-scope-inbox_reply = im Namen der Konten auf Kommentare und Nachrichten antworten, sie ausblenden und löschen
tokens-created_title = Ihr neues Token
tokens-secret = Das Token
tokens-secret_once = Kopieren Sie es jetzt und bewahren Sie es sicher auf: Es wird nur dieses eine Mal angezeigt. Herald speichert nur einen Fingerabdruck davon.
tokens-secret_use = Senden Sie es als „Authorization: Bearer …“. Es wirkt nur in diesem Arbeitsbereich.
tokens-back = Zurück zu den Einstellungen
audit-via = { $kind ->
    [personal] über das persönliche Token „{ $name }“ im Auftrag von { $actor }
    [app] über die App „{ $name }“ im Auftrag von { $actor }
   *[assistant] über den Assistenten „{ $name }“ im Auftrag von { $actor }
}
retention-access_tokens = Zugriffstokens für Apps und Assistenten: bis sie widerrufen werden oder ablaufen oder Sie den Arbeitsbereich verlassen.
## api_docs (the API reference page, /docs/api)
api_docs-title = API-Referenz
api_docs-lead = Alle Routen der JSON-API von Herald, gelesen aus demselben OpenAPI-3.1-Dokument, das Programme herunterladen können. Die Beschreibungen der Routen und Felder stammen aus dem Code und sind auf Englisch.
api_docs-download = OpenAPI-Dokument (JSON)
api_docs-version = Version
api_docs-basics = Bevor Sie beginnen
api_docs-auth_title = Anmelden
api_docs-auth_body = Senden Sie ein Zugriffstoken als „Authorization: Bearer …“ (Sie erhalten es über POST /api/auth/token) oder nutzen Sie Ihre Browsersitzung; mit der Sitzung sendet jede Anfrage, die etwas ändert, auch das CSRF-Token der Sitzung im Header x-csrf-token.
api_docs-workspace_title = Arbeitsbereiche
api_docs-workspace_body = Was zu einem Arbeitsbereich gehört, wird mit ?workspace=ID (oder dem Teil {"{"}ws{"}"} des Pfads) angesprochen; ohne diese Angabe wird Ihr erster Arbeitsbereich verwendet. Ein Arbeitsbereich, dem Sie nicht angehören, antwortet mit 404, genau wie etwas, das es nicht gibt.
api_docs-errors_title = Fehler
api_docs-errors_body = Jede Ablehnung hat denselben Aufbau: einen festen Code und eine Meldung in Ihrer Sprache. Ein JSON-Inhalt, der nicht zur Route passt, wird mit 422 invalid_body beantwortet, mit field (wo im Inhalt) und expected (was dort nicht stimmte). Antworten mit 429 nennen in Retry-After, wann Sie es wieder versuchen können.
api_docs-contents = Inhalt
api_docs-schemas = Schemas
api_docs-parameters = Parameter
api_docs-body = Anfrageinhalt
api_docs-responses = Antworten
api_docs-field = Feld
api_docs-name = Name
api_docs-in = Ort
api_docs-type = Typ
api_docs-description = Beschreibung
api_docs-status = Status
api_docs-required = Pflicht
api_docs-public = Ohne Anmeldung
api_docs-bearer_or_session = Bearer-Token oder Sitzung
api_docs-session_only = Nur Browsersitzung
api_docs-values = Einer von
api_docs-variants = Eine dieser Formen:
api_docs-example = Beispiel
settings-api_title = API und Apps
settings-api_body = Programme können über die JSON-API von Herald tun, was Sie hier tun, angemeldet mit einem Zugriffstoken. Die Referenz nennt jede Route, was sie annimmt und was sie antwortet.
settings-api_link = API-Referenz öffnen
public-api = API

## mcp (die Werkzeuge für Assistenten unter /mcp)
error-invalid_arguments = Ein Argument des Werkzeugaufrufs passt nicht zu dem, was das Werkzeug erwartet; `field` nennt es und `expected` sagt, was daran falsch war.

# Benachrichtigungen über Kanäle, Mails und der Wochenbericht.
## notify
unit-instant_zoned = { $day }.{ $month }.{ $year }, { $hour }:{ $minute } { $zone }
unit-date = { $day }.{ $month }.{ $year }
notice-post_failed = „{ $post }“ konnte auf { $platform } ({ $account }) nicht veröffentlicht werden: { $reason }
notice-post_unconfirmed = { $platform } hat nicht bestätigt, ob „{ $post }“ auf { $account } erschienen ist. Prüfen Sie das Konto, bevor Sie ihn erneut senden.
notice-connection_reconnect = { $account } auf { $platform } muss neu verbunden werden: Herald kann dort nicht mehr veröffentlichen.
notice-digest =
    Ihre Woche: { $published ->
        [one] 1 Beitrag veröffentlicht
       *[other] { $published } Beiträge veröffentlicht
    } ({ $published_before } in der Vorwoche), { $failed } fehlgeschlagen, { $awaiting } warten auf Freigabe, { $scheduled } geplant. Als Nächstes: { $next }
notice-reason-reconnect = Das Konto muss neu verbunden werden
notice-reason-reconsent = Herald fehlt eine Berechtigung für das Konto
notice-reason-rejected = Die Plattform hat den Beitrag abgelehnt
notice-reason-invalid = Der Beitrag erfüllt die Regeln der Plattform nicht
notice-reason-quota = Das Limit der Plattform ist erreicht
notice-reason-unavailable = Die Plattform hat wiederholt Fehler gemeldet
notice-reason-unconfirmed = Die Plattform hat nicht bestätigt
notice-reason-misconfigured = Die Plattform-App ist falsch eingerichtet
notice-reason-media_missing = Seine Medien fehlen
notice-reason-disconnected = Das Konto wurde entfernt
notice-next-fix_failed = Fehlgeschlagenes prüfen und erneut senden.
notice-next-review = Beiträge warten auf Ihre Freigabe.
notice-next-plan_week = Für die kommende Woche ist nichts geplant.
notice-next-keep_cadence = Es ist weniger geplant, als Sie diese Woche veröffentlicht haben.
notice-next-on_track = Die kommende Woche ist geplant.
notifications-kind-post_failed = Fehlgeschlagene Beiträge
notifications-kind-post_unconfirmed = Unbestätigte Beiträge
notifications-kind-connection_reconnect = Neu zu verbindende Konten
notifications-kind-digest = Wochenbericht
notifications-describe-post_failed = Ihr Beitrag konnte auf einem seiner Konten nicht veröffentlicht werden (hat die Person den Arbeitsbereich verlassen, erfahren es alle, die veröffentlichen dürfen).
notifications-describe-post_unconfirmed = Eine Plattform hat nicht bestätigt, ob Ihr Beitrag erschienen ist.
notifications-describe-connection_reconnect = Ein verbundenes Konto muss neu verbunden werden, bevor Herald dort veröffentlichen kann.
notifications-describe-digest = Einmal pro Woche, an dem Tag und zu der Uhrzeit, die Sie unten wählen (sonst montags um 08:00 Uhr), in Ihrer Zeitzone: die Beiträge der Woche im Vergleich zur Vorwoche, Fehlschläge, Freigaben und was als Nächstes ansteht.
notifications-channel-in_app = In Herald
notifications-channel-email = Per E-Mail
notifications-kind_column = Benachrichtigung
notifications-time_zone = Ihre Zeitzone
notifications-time_zone_hint = Der Wochenbericht kommt montags um 08:00 Uhr in dieser Zone, und Zeiten in E-Mails werden darin angegeben.
notifications-time_zone_invalid = Diese Zeitzone kennt Herald nicht (z. B. Europe/Berlin).
notifications-email_unverified = E-Mails gehen nur an eine bestätigte Adresse: Bestätigen Sie Ihre, um Benachrichtigungen per E-Mail zu erhalten.
mail-notice-greeting = Hallo { $name },
mail-notice-more =
    { $count ->
        [one] …und 1 weitere.
       *[other] …und { $count } weitere.
    }
mail-notice-action = Herald öffnen
mail-notice-open = Öffnen
mail-notice-why = Sie erhalten diese E-Mail aufgrund Ihrer Benachrichtigungseinstellungen in der Herald-Instanz unter { $site }.
mail-notice-unsubscribe = Diese E-Mails abbestellen
mail-notice-settings = Benachrichtigungseinstellungen
mail-notice-post_failed-subject =
    { $count ->
        [one] Ein Beitrag konnte nicht veröffentlicht werden ({ $workspace })
       *[other] { $count } Beiträge konnten nicht veröffentlicht werden ({ $workspace })
    }
mail-notice-post_failed-intro =
    { $count ->
        [one] Ein Beitrag in { $workspace } ist nicht erschienen:
       *[other] { $count } Beiträge in { $workspace } sind nicht erschienen. Die ersten:
    }
mail-notice-post_unconfirmed-subject =
    { $count ->
        [one] Ein Beitrag wurde nicht bestätigt ({ $workspace })
       *[other] { $count } Beiträge wurden nicht bestätigt ({ $workspace })
    }
mail-notice-post_unconfirmed-intro = Die Plattform hat nicht bestätigt, ob diese erschienen sind; prüfen Sie das Konto, bevor Sie erneut senden:
mail-notice-connection_reconnect-subject =
    { $count ->
        [one] Ein Konto muss neu verbunden werden ({ $workspace })
       *[other] { $count } Konten müssen neu verbunden werden ({ $workspace })
    }
mail-notice-connection_reconnect-intro = Herald kann auf diesen Konten nicht mehr veröffentlichen, bis jemand sie neu verbindet:
mail-notice-connection_revoked-subject =
    { $count ->
        [one] Der Zugriff auf ein Konto wurde entfernt ({ $workspace })
       *[other] Der Zugriff auf { $count } Konten wurde entfernt ({ $workspace })
    }
mail-notice-connection_revoked-intro = Jemand hat Heralds Zugriff auf der Plattform entfernt:
mail-notice-delivery_dead-subject =
    { $count ->
        [one] Eine Webhook-Zustellung ist fehlgeschlagen ({ $workspace })
       *[other] { $count } Webhook-Zustellungen sind fehlgeschlagen ({ $workspace })
    }
mail-notice-delivery_dead-intro = Diese Ereignisse von Meta sind bei jedem Versuch fehlgeschlagen und warten auf erneutes Senden:
mail-notice-endpoint_failing-subject =
    { $count ->
        [one] Ein Webhook-Endpunkt braucht Aufmerksamkeit ({ $workspace })
       *[other] { $count } Probleme mit Webhook-Endpunkten ({ $workspace })
    }
mail-notice-endpoint_failing-intro = Ausgehende Webhooks von { $workspace } schlagen fehl:
mail-notice-approval-subject =
    { $count ->
        [one] Eine Freigabe in { $workspace }
       *[other] { $count } Freigaben in { $workspace }
    }
mail-notice-approval-intro = Neues zu Freigaben:
mail-notice-post_mention-subject =
    { $count ->
        [one] Sie wurden in { $workspace } erwähnt
       *[other] Sie wurden { $count }-mal in { $workspace } erwähnt
    }
mail-notice-post_mention-intro = Ihr Team hat Sie erwähnt:
mail-notice-comment-subject =
    { $count ->
        [one] Ein neuer Kommentar ({ $workspace })
       *[other] { $count } neue Kommentare ({ $workspace })
    }
mail-notice-comment-intro = Neue Kommentare auf Ihren verbundenen Konten:
mail-notice-mention-subject =
    { $count ->
        [one] Eine neue Erwähnung ({ $workspace })
       *[other] { $count } neue Erwähnungen ({ $workspace })
    }
mail-notice-mention-intro = Ihre Konten wurden erwähnt:
mail-notice-message-subject =
    { $count ->
        [one] Eine neue Nachricht ({ $workspace })
       *[other] { $count } neue Nachrichten ({ $workspace })
    }
mail-notice-message-intro = Neue Direktnachrichten:
mail-notice-story_insights-subject = Story-Statistiken sind eingetroffen ({ $workspace })
mail-notice-story_insights-intro = Statistiken abgelaufener Storys sind eingetroffen:
mail-notice-digest-subject = Ihr Wochenbericht ({ $workspace })
mail-notice-digest-intro = Ihre Woche:
mail-digest-subject =
    Ihre Woche in { $workspace }: { $published ->
        [one] 1 Beitrag veröffentlicht
       *[other] { $published } Beiträge veröffentlicht
    }
mail-digest-intro = Was vom { $from } bis zum { $to } geschah:
mail-digest-published =
    { $count ->
        [one] 1 Beitrag veröffentlicht
       *[other] { $count } Beiträge veröffentlicht
    } { $trend ->
        [up] ({ $change } mehr als in der Vorwoche: { $before })
        [down] ({ $change } weniger als in der Vorwoche: { $before })
       *[same] (so viele wie in der Vorwoche)
    }
mail-digest-failed =
    { $count ->
        [0] Nichts ist fehlgeschlagen
        [one] 1 Beitrag ist fehlgeschlagen
       *[other] { $count } Beiträge sind fehlgeschlagen
    }
mail-digest-awaiting =
    { $count ->
        [0] Nichts wartet auf Freigabe
        [one] 1 Beitrag wartet auf Freigabe
       *[other] { $count } Beiträge warten auf Freigabe
    }
mail-digest-scheduled =
    { $count ->
        [0] Für die kommende Woche ist nichts geplant
        [one] 1 Beitrag ist für die kommende Woche geplant
       *[other] { $count } Beiträge sind für die kommende Woche geplant
    }
mail-digest-next_label = Nächster Schritt:
mail-digest-next-fix_failed =
    { $failed ->
        [one] Prüfen Sie den fehlgeschlagenen Beitrag und senden Sie ihn erneut.
       *[other] Prüfen Sie die { $failed } fehlgeschlagenen Beiträge und senden Sie sie erneut.
    }
mail-digest-next-review =
    { $awaiting ->
        [one] Ein Beitrag wartet auf Ihre Freigabe.
       *[other] { $awaiting } Beiträge warten auf Ihre Freigabe.
    }
mail-digest-next-plan_week = Für die kommende Woche ist noch nichts geplant: Planen Sie sie im Kalender.
mail-digest-next-keep_cadence = { $scheduled } für die kommende Woche geplant, { $published } diese Woche veröffentlicht: Ergänzen Sie Beiträge, um Ihr Tempo zu halten.
mail-digest-next-on_track = Die kommende Woche ist geplant. Nichts zu tun.
mail-digest-action = Kalender öffnen
unsubscribe-title = Diese E-Mails abbestellen
unsubscribe-lead = E-Mails zu „{ $kind }“ aus dem Arbeitsbereich { $workspace } abbestellen? In Herald sehen Sie sie weiterhin, und in Ihren Benachrichtigungseinstellungen können Sie sie wieder einschalten.
unsubscribe-confirm = E-Mails abbestellen
unsubscribe-done_title = Sie erhalten diese E-Mails nicht mehr
unsubscribe-done = E-Mails zu „{ $kind }“ sind für diesen Arbeitsbereich ausgeschaltet. Sie können sie jederzeit in Ihren Benachrichtigungseinstellungen wieder einschalten.
unsubscribe-invalid_title = Dieser Link funktioniert nicht
unsubscribe-invalid = Der Abbestell-Link ist unvollständig oder stammt nicht von diesem Herald. Ändern Sie Ihre E-Mail-Einstellungen nach der Anmeldung unter Einstellungen → Benachrichtigungen.
error-unknown_time_zone = Diese Zeitzone ist unbekannt. Wählen Sie eine wie Europe/Berlin.
error-notification_unknown_channel = Unbekannter Benachrichtigungskanal: Verwenden Sie in_app oder email.
notice-connection_expiring = Der Zugriff auf { $account } bei { $platform } endet am { $at }. Verbinden Sie das Konto vorher neu, um weiter zu veröffentlichen.
notifications-kind-connection_expiring = Bald endender Zugriff
notifications-describe-connection_expiring = Der Zugriff auf ein verbundenes Konto endet innerhalb einer Woche und nur Sie können ihn erneuern (eine Woche vorher und am letzten Tag).
mail-notice-connection_expiring-subject =
    { $count ->
        [one] Der Zugriff auf ein Konto endet bald ({ $workspace })
       *[other] Der Zugriff auf { $count } Konten endet bald ({ $workspace })
    }
mail-notice-connection_expiring-intro = Verbinden Sie diese Konten neu, bevor ihr Zugriff endet, sonst kann Herald dort nicht mehr veröffentlichen:
## inbox (the engagement inbox at /home/inbox)
nav-inbox = Posteingang
landing-f_inbox_title = Ein Posteingang für alle Konten
landing-f_inbox_body = Kommentare, Erwähnungen und Direktnachrichten von Facebook, Instagram und YouTube erscheinen live in einer Liste; weisen Sie sie zu, schreiben Sie Notizen und antworten Sie aus Herald nach den Regeln jeder Plattform.
inbox-title = Posteingang
inbox-lead = Kommentare, Erwähnungen und Direktnachrichten aller verbundenen Konten, die neuesten zuerst. Antworten gehen über die Plattform im Namen des Kontos hinaus.
inbox-filters = Filter
inbox-account = Konto
inbox-any = Alle
inbox-kind_label = Art
inbox-state_label = Anzeigen
inbox-unread_only = Nur ungelesene
inbox-assigned_to_me = Mir zugewiesen
inbox-apply = Anwenden
inbox-clear = Filter zurücksetzen
inbox-empty_title = Der Posteingang ist leer
inbox-empty_body = Kommentare, Erwähnungen und Nachrichten Ihrer verbundenen Konten erscheinen hier, sobald die Plattformen sie senden. Verbinden Sie unter Veröffentlichen ein Konto, um zu beginnen.
inbox-empty_filtered_title = Nichts passt zu diesen Filtern
inbox-empty_filtered_body = Setzen Sie die Filter zurück oder wählen Sie andere, um mehr zu sehen.
inbox-new = Neu
inbox-done_badge = Erledigt
inbox-removed_badge = Entfernt
inbox-hidden_badge = Ausgeblendet
inbox-assigned_to = Zugewiesen an { $name }
inbox-unassigned = Niemandem zugewiesen
inbox-older = Ältere Einträge
inbox-reload_hint = Laden Sie die Seite neu, um zu sehen, was seit dem Öffnen angekommen ist.
inbox-times_in = Zeiten in { $zone }.
inbox-kind-comment = Kommentar
inbox-kind-mention = Erwähnung
inbox-kind-message = Nachricht
inbox-state-open = Offen
inbox-state-done = Erledigt
inbox-state-all = Offen und erledigt
inbox-someone = Jemand
inbox-no_text = (ohne Text)
inbox-former_member = Ein ehemaliges Mitglied
inbox-nobody = Niemand
inbox-post_untitled = Ein Beitrag ohne Beschriftung
inbox-item_title = Eintrag im Posteingang
inbox-back = Zurück zum Posteingang
inbox-post_title = Der Beitrag
inbox-post_on_platform = Auf der Plattform ansehen
inbox-conversation = Unterhaltung
inbox-thread = Verlauf
inbox-actions_title = Was Herald getan hat
inbox-actions_empty = Noch nichts.
inbox-notes_title = Notizen
inbox-notes_empty = Noch keine Notizen. Notizen sieht nur Ihr Team.
inbox-answer_message = In der Unterhaltung antworten
inbox-answer_comment = Antworten
inbox-reply_label = Ihre Antwort
inbox-reply_hint = Höchstens { $max } Zeichen. Sie geht im Namen des Kontos hinaus.
inbox-send_reply = Antwort senden
inbox-send_private_reply = Privat antworten
inbox-work_title = Bearbeiten
inbox-assign_label = Zugewiesen an
inbox-assign = Zuweisen
inbox-reopen = Wieder öffnen
inbox-mark_done = Als erledigt markieren
inbox-mark_unread = Als ungelesen markieren
inbox-mark_read = Als gelesen markieren
inbox-unhide = Wieder einblenden
inbox-hide = Ausblenden
inbox-delete = Auf der Plattform löschen
inbox-note_label = Notiz für das Team
inbox-note_hint = Wird nie an die Plattform gesendet.
inbox-add_note = Notiz hinzufügen
inbox-action-reply = Antwort
inbox-action-private_reply = Private Antwort
inbox-action-message = Nachricht
inbox-action-hide = Ausblenden
inbox-action-unhide = Wieder einblenden
inbox-action-delete = Löschen
inbox-action_state-queued = Unterwegs
inbox-action_state-sent = Gesendet
inbox-action_state-failed = Fehlgeschlagen
inbox-done-reply_queued = Ihre Antwort ist unterwegs; diese Seite zeigt, wenn die Plattform sie angenommen hat.
inbox-done-assigned = Zugewiesen.
inbox-done-unassigned = Niemandem mehr zugewiesen.
inbox-done-noted = Notiz hinzugefügt.
inbox-done-marked_done = Als erledigt markiert.
inbox-done-reopened = Wieder offen.
inbox-done-marked_read = Als gelesen markiert.
inbox-done-marked_unread = Als ungelesen markiert.
inbox-done-hide_queued = Wird auf der Plattform ausgeblendet.
inbox-done-unhide_queued = Wird auf der Plattform wieder eingeblendet.
inbox-done-delete_queued = Wird auf der Plattform gelöscht.
inbox-failure-outside_window = Die Plattform erlaubt Nachrichten nur innerhalb von 24 Stunden nach der letzten Nachricht der Person, und diese Zeit ist vorbei. Warten Sie, bis sie wieder schreibt.
inbox-failure-private_reply_used = Auf diesen Kommentar wurde bereits privat geantwortet, oder er ist für eine private Antwort zu alt (7 Tage).
inbox-failure-not_found = Die Plattform hat diesen Kommentar, diese Nachricht oder diese Person nicht mehr.
inbox-failure-not_allowed = Die Plattform erlaubt diesem Konto das hier nicht (zum Beispiel einen Kommentar unter einem fremden Beitrag auszublenden).
inbox-failure-unsupported = Diese Plattform bietet dafür keinen Weg.
inbox-failure-outcome_unknown = Herald konnte nicht erfahren, ob die Plattform es getan hat, und hat es deshalb nicht wiederholt. Prüfen Sie es auf der Plattform, bevor Sie erneut antworten.
inbox-failure-reconnect = Die Plattform akzeptiert Heralds Zugriff auf dieses Konto nicht mehr. Verbinden Sie es unter Veröffentlichen erneut.
inbox-failure-rejected = Die Plattform hat es abgelehnt.
inbox-failure-unavailable = Die Plattform hat auch nach mehreren Versuchen nicht richtig geantwortet.
inbox-failure-rate_limited = Die Plattform hat Herald auch nach mehreren Versuchen gebeten, langsamer zu machen.
inbox-failure-misconfigured = Die Plattform hat die App-Einstellungen dieses Servers abgelehnt. Eine Administratorin oder ein Administrator muss sie prüfen.
inbox-failure-account_gone = Das Konto ist nicht mehr verbunden.
inbox-failure-other = Es ist nicht hinausgegangen.
inbox-failure_with_detail = { $reason } Die Plattform sagte: „{ $said }“
error-inbox_item_not_found = Dieser Eintrag im Posteingang wurde nicht gefunden. Er gehört vielleicht zu einem anderen Arbeitsbereich, oder sein Konto wurde entfernt.
error-inbox_text_required = Schreiben Sie etwas, das gesendet werden soll.
error-inbox_text_too_long = Das ist länger, als die Plattform annimmt: höchstens 2200 Zeichen auf Instagram, 8000 auf Facebook und 10000 auf YouTube.
error-inbox_note_required = Schreiben Sie zuerst die Notiz.
error-inbox_note_too_long = Notizen dürfen höchstens 5000 Zeichen lang sein.
error-inbox_action_unsupported = Das ist mit diesem Eintrag auf seiner Plattform nicht möglich.
error-inbox_unknown_member = Diese Person ist kein Mitglied dieses Arbeitsbereichs. Wählen Sie jemanden aus der Liste.
notifications-digest_when = Wann der Wochenbericht kommt
notifications-digest_day = Tag
notifications-digest_time = Uhrzeit
notifications-day-monday = Montag
notifications-day-tuesday = Dienstag
notifications-day-wednesday = Mittwoch
notifications-day-thursday = Donnerstag
notifications-day-friday = Freitag
notifications-day-saturday = Samstag
notifications-day-sunday = Sonntag
error-digest_schedule_invalid = Der Wochenbericht braucht einen Tag (monday … sunday) und eine Uhrzeit als HH:MM (00:00 bis 23:59).

## Das Content-Studio
nav-content = Inhalte
unit-money = { $amount } { $currency }
unit-decimal_mark = ,
studio-title = Content-Studio
studio-lead = Beginnen Sie mit einer Vorlage oder einem Briefing, erhalten Sie einen Entwurf in Ihrem Ton, bearbeiten Sie ihn mit vollständigem Verlauf und übergeben Sie ihn an den Editor für Beiträge.
studio-engine_label = Entwürfe schreibt:
studio-engine_ai = das KI-Modell { $model } (OpenAI-kompatibel)
studio-engine_builtin = Vorlagenentwurf (ohne KI)
studio-engine_builtin_hint = Auf diesem Server ist keine KI eingerichtet: Die eingebaute Engine füllt die Vorlage aus Ihrem Briefing, der Säule, dem Ton und den Regeln der Plattform, jedes Mal gleich.
studio-generate_action = Entwurf schreiben
studio-plan_link = Säulen und Rhythmus
studio-usage_link = Verbrauch und Kontingente
studio-drafts_title = Entwürfe
studio-drafts_empty = Noch keine Entwürfe. Schreiben Sie einen aus einer Vorlage oder einem Briefing, oder beginnen Sie einen leeren.
studio-col_title = Titel
studio-col_format = Format
studio-col_version = Version
studio-col_changed = Zuletzt geändert
studio-bookmarked = Gemerkt
studio-generated_badge = Generiert
studio-blank_format = Format eines leeren Entwurfs
studio-blank_draft = Leeren Entwurf beginnen
studio-bookmarks_title = Ihre Lesezeichen
studio-bookmarks_empty = Noch nichts gemerkt. Merken Sie sich Entwürfe, Vorlagen und Generierungen, um sie hier zu finden.
studio-catalog_title = Vorlagen
studio-filters = Vorlagen filtern
studio-niche = Nische
studio-format_label = Format
studio-platform_label = Plattform
studio-catalog_language = Sprache des Katalogs
studio-words = Wörter
studio-any = Alle
studio-any_platform = Jede Plattform
studio-apply = Anwenden
studio-clear = Filter zurücksetzen
studio-catalog_empty_title = Keine Vorlage passt
studio-catalog_empty_body = Versuchen Sie weniger Filter oder andere Wörter.
studio-own_copy = Ihre Kopie
studio-back = Content-Studio
studio-retired = nicht mehr im Katalog
studio-copied_from = kopiert von der Vorlage des Katalogs
studio-write_with = Damit schreiben
studio-blank_from = Leeren Entwurf daraus beginnen
studio-copy = In diesen Arbeitsbereich kopieren
studio-bookmark = Merken
studio-unbookmark = Lesezeichen entfernen
studio-slots_title = Platzhalter
studio-slots_empty = Diese Vorlage hat keine Platzhalter.
studio-slots_hint = Jeder Platzhalter ist eine Lücke in der Struktur, geschrieben als sein Name in geschweiften Klammern. Lassen Sie einen Namen leer, um den Platzhalter zu entfernen.
studio-slot_name = Name
studio-slot_hint = Was hineingehört
studio-structure_title = Struktur
studio-edit_copy = Ihre Kopie ändern
studio-field_title = Titel
studio-description = Beschreibung
studio-platforms = Passende Plattformen
studio-save = Speichern
studio-delete_copy = Diese Kopie löschen
studio-delete_copy_confirm = Diese Vorlagenkopie löschen? Daraus entstandene Entwürfe behalten ihren Text.
studio-move_up = Nach oben
studio-move_down = Nach unten
studio-remove = Entfernen
studio-add_beat = Abschnitt hinzufügen
studio-add_shot = Kameranotiz hinzufügen
studio-add_slide = Folie hinzufügen
studio-add_part = Teil hinzufügen
studio-label-hook = Hook (die ersten Sekunden)
studio-label-beats = Abschnitte
studio-label-cta = Handlungsaufforderung
studio-label-shots = Kameranotizen
studio-label-caption = Bildunterschrift
studio-label-text = Text
studio-label-hashtags = Hashtags (durch Leerzeichen getrennt)
studio-label-slides = Folien
studio-label-slide = Folie
studio-label-slide_title = Titel
studio-label-slide_body = Text
studio-label-parts = Teile
studio-generate_title = Entwurf schreiben
studio-generate_lead = Wählen Sie eine Vorlage oder ein Format, einen Ton, eine Säule und eine Plattform, und sagen Sie, worum es geht.
studio-template_label = Vorlage
studio-no_template = Keine Vorlage
studio-template_option = { $title } ({ $format })
studio-format_hint = Gilt, wenn keine Vorlage gewählt ist; eine Vorlage bringt ihr eigenes Format mit.
studio-tone_label = Ton
studio-no_tone = Kein bestimmter Ton
studio-pillar_label = Säule
studio-no_pillar = Keine Säule
studio-brief_label = Briefing
studio-brief_hint = Worum es geht, in Ihren Worten (höchstens { $max } Zeichen). E-Mail-Adressen, Telefonnummern, Kartennummern und Schlüssel werden ersetzt, bevor etwas diesen Server verlässt.
studio-generate_submit = Entwurf schreiben lassen
studio-generate_not_allowed = Ihre Rolle erlaubt, das Studio anzusehen, aber keine Entwürfe zu schreiben.
studio-generation_title = Generierung
studio-generation_status = Stand:
studio-retrying = Der letzte Versuch hat nicht geklappt ({ $reason }). Herald versucht es gleich noch einmal.
studio-reload = Neu laden, um den neuesten Stand zu sehen
studio-cancel_generation = Abbrechen
studio-output_title = Was geschrieben wurde
studio-result_title = Ergebnis
studio-usage_line = Verbrauchte Tokens: { $input } Eingabe, { $output } Ausgabe.
studio-cost_line = Kosten: { $cost }
studio-open_draft = Entwurf öffnen
studio-version_now = Version { $version }
studio-from_generation = aus einer Generierung
studio-from_template = aus einer Vorlage
studio-use_in_composer = Im Editor verwenden
studio-editor_title = Bearbeiten
studio-read_only = Nur wer den Entwurf angelegt hat oder veröffentlichen darf, kann ihn ändern.
studio-compare_heading = Änderungen von Version { $from } zu Version { $to }
studio-compare_same = Die beiden Versionen haben denselben Text.
studio-col_change = Änderung
studio-col_part = Teil
studio-col_text = Text
studio-change_added = hinzugefügt
studio-change_removed = entfernt
studio-change_same = unverändert
studio-versions_title = Versionen
studio-col_by = Gespeichert von
studio-col_when = Wann
studio-col_actions = Aktionen
studio-current = aktuell
studio-compare = Mit aktueller vergleichen
studio-restore = Wiederherstellen
studio-restored_from = (Version { $version } wiederhergestellt)
studio-former_member = ein ehemaliges Mitglied
studio-delete_draft = Diesen Entwurf löschen
studio-delete_draft_confirm = Diesen Entwurf mit allen Versionen löschen?
studio-autosave-saving = Wird gespeichert …
studio-autosave-saved = Als Version { $version } gespeichert.
studio-autosave-conflict = Jemand hat diesen Entwurf gespeichert, seit Sie ihn geöffnet haben. Ihre letzten Änderungen sind nicht gespeichert: Laden Sie neu, um die andere Version zu sehen, und ändern Sie sie dann erneut.
studio-autosave-failed = Speichern fehlgeschlagen: { $reason }
studio-autosave-reload = Deren Version laden
studio-plan_title = Säulen und Rhythmus
studio-plan_lead = Die Themen, zwischen denen dieser Arbeitsbereich wechselt, und wie oft er wo postet.
studio-pillars_title = Säulen
studio-pillars_empty = Noch keine Säulen.
studio-pillar_name = Name
studio-rename = Speichern
studio-delete = Löschen
studio-delete_pillar_confirm = Diese Säule löschen? Entwürfe, die sie nannten, behalten ihren Text.
studio-add_pillar = Säule hinzufügen
studio-cadence_title = Rhythmus
studio-cadence_empty = Noch kein Rhythmus: Wählen Sie eine Vorgabe oder legen Sie einen eigenen fest.
studio-plan_from_preset = { $preset }: { $plan }
studio-per_week_line = { $platform } { $n }-mal pro Woche
studio-cadence_preset = Mit einer Vorgabe beginnen
studio-use_preset = Diese Vorgabe verwenden
studio-cadence_own = Beiträge pro Woche
studio-per_week_label = { $platform }
studio-cadence_days = Bevorzugte Tage
studio-cadence_times = Bevorzugte Uhrzeiten (HH:MM, durch Kommas getrennt)
studio-save_cadence = Rhythmus speichern
studio-usage_title = Verbrauch und Kontingente
studio-usage_lead = Was die Generierungen des Studios verbraucht und gekostet haben und wie viel von den Kontingenten übrig ist.
studio-month = Monat
studio-show = Anzeigen
studio-usage_month = { $month }
studio-generations = Generierungen
studio-input_tokens = Eingabe-Tokens
studio-output_tokens = Ausgabe-Tokens
studio-cost = Kosten
studio-by_model = Nach Modell
studio-by_member = Nach Mitglied
studio-usage_empty = In diesem Monat wurde nichts generiert.
studio-col_engine = Engine
studio-col_model = Modell
studio-col_calls = Generierungen
studio-col_member = Mitglied
studio-col_tokens = Tokens
studio-col_quota = Kontingent
studio-quota_use = Kontingente heute und in diesem Monat
studio-used_of = { $used } von { $limit }
studio-used_unlimited = { $used } (ohne Grenze)
studio-count = { $n }
studio-quotas_title = Kontingente festlegen
studio-quotas_hint = Generierungen und Tokens pro Tag und Monat (UTC), für den ganzen Arbeitsbereich und für jedes Mitglied. Lassen Sie ein Feld leer für keine Grenze.
studio-save_quotas = Kontingente speichern
studio-quota-workspace_day = Arbeitsbereich, pro Tag
studio-quota-workspace_month = Arbeitsbereich, pro Monat
studio-quota-member_day = Jedes Mitglied, pro Tag
studio-quota-member_month = Jedes Mitglied, pro Monat
studio-format-script = Reel- oder Short-Skript
studio-format-caption = Bildunterschrift
studio-format-carousel = Karussell
studio-format-thread = Thread
studio-platform-instagram = Instagram
studio-platform-facebook = Facebook
studio-platform-tiktok = TikTok
studio-platform-youtube = YouTube
studio-status-queued = Wartet
studio-status-running = Wird geschrieben
studio-status-succeeded = Fertig
studio-status-failed = Fehlgeschlagen
studio-status-cancelled = Abgebrochen
studio-bookmark_kind-draft = Entwurf
studio-bookmark_kind-template = Vorlage
studio-bookmark_kind-generation = Generierung
studio-field-title = Titel
studio-field-hook = Hook
studio-field-beat = Abschnitt { $n }
studio-field-cta = Handlungsaufforderung
studio-field-shot = Kameranotiz { $n }
studio-field-caption = Bildunterschrift
studio-field-text = Text
studio-field-hashtag = Hashtag { $n }
studio-field-slide_title = Titel von Folie { $n }
studio-field-slide_body = Text von Folie { $n }
studio-field-part = Teil { $n }
studio-day-mon = Montag
studio-day-tue = Dienstag
studio-day-wed = Mittwoch
studio-day-thu = Donnerstag
studio-day-fri = Freitag
studio-day-sat = Samstag
studio-day-sun = Sonntag
studio-done-copied = Die Vorlage wurde in diesen Arbeitsbereich kopiert. Ändern Sie die Kopie nach Belieben.
studio-done-template_saved = Ihre Vorlagenkopie wurde gespeichert.
studio-done-template_deleted = Die Vorlagenkopie wurde gelöscht.
studio-done-bookmarked = Gemerkt.
studio-done-unbookmarked = Das Lesezeichen wurde entfernt.
studio-done-draft_created = Ein neuer Entwurf wurde begonnen.
studio-done-saved = Als neue Version gespeichert.
studio-done-unchanged = Nichts hat sich geändert, daher wurde keine neue Version gespeichert.
studio-done-restored = Die alte Version wurde als neueste Version wiederhergestellt.
studio-done-draft_deleted = Der Entwurf wurde gelöscht.
studio-done-cancelled = Die Generierung wurde abgebrochen.
studio-done-pillar_added = Die Säule wurde hinzugefügt.
studio-done-pillar_saved = Die Säule wurde gespeichert.
studio-done-pillar_deleted = Die Säule wurde gelöscht.
studio-done-cadence_saved = Der Rhythmus wurde gespeichert.
studio-done-quotas_saved = Die Kontingente wurden gespeichert.
studio-done-generation_requested = Der Entwurf wird geschrieben.
studio-failure-rate_limited = der KI-Dienst hat Herald gebeten, langsamer zu machen
studio-failure-unavailable = der KI-Dienst war nicht erreichbar
studio-failure-timeout = der KI-Dienst hat nicht rechtzeitig geantwortet
studio-failure-context_too_long = Briefing und Vorlage sind zu lang für das Modell; kürzen Sie das Briefing
studio-failure-content_filtered = der Inhaltsfilter des KI-Dienstes hat die Anfrage oder die Antwort abgelehnt; formulieren Sie das Briefing um
studio-failure-unauthorized = der KI-Dienst hat den Schlüssel dieses Servers abgelehnt; eine Administratorin oder ein Administrator muss die KI-Einstellungen prüfen
studio-failure-rejected = der KI-Dienst hat die Anfrage abgelehnt
studio-failure-malformed = die Antwort ließ sich nicht als Entwurf lesen
studio-failure-cancelled = sie wurde abgebrochen
studio-failure-other = etwas ist schiefgegangen
error-template_not_found = Diese Vorlage wurde nicht gefunden. Sie wurde vielleicht gelöscht oder gehört zu einem anderen Arbeitsbereich.
error-tone_not_found = Diesen Ton gibt es nicht. Wählen Sie einen der aufgeführten Töne.
error-pillar_not_found = Diese Säule wurde nicht gefunden. Sie wurde vielleicht gelöscht.
error-generation_not_found = Diese Generierung wurde nicht gefunden. Sie gehört zu einem anderen Arbeitsbereich oder existiert nicht.
error-draft_not_found = Dieser Entwurf wurde nicht gefunden. Er wurde vielleicht gelöscht oder gehört zu einem anderen Arbeitsbereich.
error-draft_version_not_found = Diese Version gibt es bei diesem Entwurf nicht.
error-template_read_only = Die Vorlagen des Katalogs lassen sich nicht ändern. Kopieren Sie die Vorlage in diesen Arbeitsbereich und ändern Sie die Kopie.
error-studio_invalid =
    „{ $field }“ wurde nicht angenommen: { $reason ->
        [empty] es ist leer.
        [too_long] es ist zu lang (ein Briefing hat höchstens 4000 Zeichen, ein Titel 120).
        [control_characters] es enthält Steuerzeichen.
        [too_many_items] es hat zu viele Einträge (höchstens 30).
        [no_slides] ein Karussell braucht mindestens eine Folie.
        [bad_name] der Name eines Platzhalters darf nur Buchstaben, Ziffern und Unterstriche enthalten.
        [duplicate] ein Name kommt doppelt vor.
        [unknown_slot] es nennt einen Platzhalter, den die Vorlage nicht hat.
        [unknown_day] Tage sind mon, tue, wed, thu, fri, sat oder sun.
        [not_hh_mm] Uhrzeiten werden als HH:MM geschrieben.
        [too_many] höchstens 50 Beiträge pro Woche und Plattform.
        [not_yyyy_mm] Monate werden als JJJJ-MM geschrieben.
        [too_large] die Zahl ist zu groß.
        [not_a_number] geben Sie ganze Zahlen ein oder lassen Sie ein Feld leer.
        [missing] es fehlt.
        [unknown] es ist keine der Möglichkeiten.
       *[other] prüfen Sie es und versuchen Sie es erneut.
    }
error-content_format_mismatch = Der Text ist ein { $found }, hier wird aber ein { $expected } gebraucht.
error-pillar_exists = Dieser Arbeitsbereich hat schon eine Säule mit diesem Namen.
error-draft_conflict = Jemand hat diesen Entwurf gespeichert, seit Sie mit dem Bearbeiten begonnen haben. Laden Sie neu, um die andere Version zu sehen; Ihre Änderungen wurden nicht gespeichert.
error-quota_reached =
    { $scope ->
        [member] Ihr { $period ->
            [day] Tageskontingent
           *[month] Monatskontingent
        }
       *[workspace] Das { $period ->
            [day] Tageskontingent
           *[month] Monatskontingent
        } dieses Arbeitsbereichs
    } von { $limit } { $measure ->
        [generations] Generierungen
       *[tokens] Tokens
    } ist aufgebraucht. { $period ->
        [day] Es beginnt um Mitternacht (UTC) von vorn.
       *[month] Es beginnt am Ersten des nächsten Monats (UTC) von vorn.
    } Inhaberinnen, Inhaber und Admins können es auf der Verbrauchsseite erhöhen.
error-generation_ended = Diese Generierung ist bereits beendet.
compose-from_draft = Vorausgefüllt aus dem Entwurf
compose-from_draft_issues = Bevor er veröffentlicht werden kann, brauchen die Plattformen noch:
landing-f_studio_title = Entwürfe aus Vorlagen, mit oder ohne KI
landing-f_studio_body = Beginnen Sie mit einem Katalog von Skripten, Bildunterschriften, Karussells und Threads in Ihrem Ton; ein KI-Modell Ihrer Wahl (oder die eingebaute Vorlagen-Engine) schreibt den Entwurf, und jede Änderung bleibt als Version erhalten, die Sie vergleichen und wiederherstellen können.

## analytics
nav-analytics = Statistiken
nav-learn = Lernen
unit-percent = { $n } %
unit-points = { $n } Pp.
unit-hours_short = { $n } Std.
unit-day_month = { $day }. { $month }
month-short-1 = Jan.
month-short-2 = Feb.
month-short-3 = März
month-short-4 = Apr.
month-short-5 = Mai
month-short-6 = Juni
month-short-7 = Juli
month-short-8 = Aug.
month-short-9 = Sept.
month-short-10 = Okt.
month-short-11 = Nov.
month-short-12 = Dez.
analytics-title = Statistiken
analytics-lead = Wie Ihre Konten gewachsen sind und was funktioniert hat, nach den Zahlen der Plattformen selbst.
analytics-learn_link = Empfehlungen und Anleitungen
analytics-filters = Filter
analytics-period = Zeitraum
analytics-period-7d = Letzte 7 Tage
analytics-period-30d = Letzte 30 Tage
analytics-period-90d = Letzte 90 Tage
analytics-account = Konto
analytics-any_account = Alle Konten
analytics-platform = Plattform
analytics-any_platform = Alle Plattformen
analytics-pillar = Themensäule
analytics-any_pillar = Alle Themensäulen
analytics-measure = Wachstumsdiagramm zeigt
analytics-measure-followers = Follower
analytics-measure-views = Aufrufe
analytics-measure-engagements = Interaktionen
analytics-show = Anzeigen
analytics-clear_filters = Alles anzeigen
analytics-range = { $from } bis { $to }, verglichen mit den { $days } Tagen davor.
analytics-refresh = Jetzt aktualisieren
analytics-done-refresh_queued =
    { $n ->
        [0] Für jedes Konto wartet schon eine Aktualisierung; die Zahlen kommen, sobald sie gelaufen ist.
        [one] Ein Konto wird aktualisiert: Die Zahlen kommen in wenigen Minuten.
       *[other] { $n } Konten werden aktualisiert: Die Zahlen kommen in wenigen Minuten.
    }
analytics-none = —
analytics-not_reported = nicht gemeldet
analytics-headline_title = Der Zeitraum auf einen Blick
analytics-headline-followers = Follower
analytics-headline-views = Aufrufe
analytics-headline-engagements = Interaktionen
analytics-headline-engagement_rate = Interaktionsrate
analytics-headline-watch_time = Wiedergabezeit
analytics-change_up = { $change } mehr als in den { $days } Tagen davor
analytics-change_down = { $change } weniger als in den { $days } Tagen davor
analytics-change_flat = unverändert gegenüber den { $days } Tagen davor
analytics-change_unknown = keine Zahlen aus den { $days } Tagen davor zum Vergleich
analytics-accounts_title = Konten
analytics-col-account = Konto
analytics-col-platform = Plattform
analytics-col-accounts = Konten
analytics-col-followers = Follower
analytics-col-views = Aufrufe
analytics-col-engagements = Interaktionen
analytics-col-rate = Interaktionsrate
analytics-col-watch_time = Wiedergabezeit
analytics-col-posts = Beiträge
analytics-col-last_day = Neueste Zahlen
analytics-col-day = Tag
analytics-col-step = Schritt
analytics-col-value = Anzahl
analytics-col-of_previous = Vom Schritt davor
analytics-col-post = Beitrag
analytics-col-published = Veröffentlicht
analytics-col-weekday = Wochentag
analytics-col-hour = Uhrzeit
analytics-col-reason = Anlass
analytics-col-status = Status
analytics-col-days = Gelesene Tage
analytics-col-rows = Zeilen (Tage / Beiträge)
analytics-col-calls = Plattformaufrufe
analytics-col-errors = Fehler
analytics-col-started = Begonnen
analytics-growth_title = Wachstum
analytics-growth_all = Alle Konten
analytics-growth_chart = { $measure }: { $name }
analytics-growth_summary = { $measure }: { $first } am { $from }, { $last } am { $to }.
analytics-growth_summary_none = Keine Zahlen zu { $measure } in diesem Zeitraum.
analytics-show_numbers = Zahlen anzeigen
analytics-funnel_title = Interaktionstrichter
analytics-funnel_lead = Von Aufrufen zu Interaktionen, Profilbesuchen und neuen Followern.
analytics-funnel_summary = { $views } Aufrufe führten zu { $engagements } Interaktionen und { $follows } neuen Followern.
analytics-step-views = Aufrufe
analytics-step-engagements = Interaktionen
analytics-step-profile_actions = Profilaktionen
analytics-step-follows = Neue Follower
analytics-platforms_title = Plattformen im Vergleich
analytics-platforms_chart = Aufrufe nach Plattform
analytics-platform_summary = { $platform }: { $views } Aufrufe, { $rate } Interaktionsrate.
analytics-posts_title = Stärkste und schwächste Beiträge
analytics-posts_count =
    { $n ->
        [0] Keine Beiträge in diesem Zeitraum.
        [one] Ein Beitrag in diesem Zeitraum, nach Interaktionsrate geordnet.
       *[other] { $n } Beiträge in diesem Zeitraum, nach Interaktionsrate geordnet.
    }
analytics-posts_empty = In diesem Zeitraum wurde nichts veröffentlicht, oder die Plattformen haben es noch nicht gemeldet.
analytics-top = Am stärksten
analytics-bottom = Am schwächsten
analytics-untitled = Beitrag ohne Titel
analytics-open_post = öffnet auf der Plattform
analytics-open_herald = In Herald
analytics-heat_title = Beste Zeiten zum Posten
analytics-heat_lead = Wann Ihre Beiträge am besten liefen, nach Wochentag und Stunde in { $zone }. Ein Stern markiert die besten Zeiten.
analytics-heat_chart = Interaktionsrate nach Wochentag und Stunde ({ $zone })
analytics-heat_cell = { $day } { $hour }:00 Uhr: { $posts ->
        [one] 1 Beitrag
       *[other] { $posts } Beiträge
    }, { $rate } Interaktionsrate
analytics-heat_cell_empty = { $day } { $hour }:00 Uhr: keine Beiträge
analytics-heat_summary = { $posts ->
        [one] 1 Beitrag
       *[other] { $posts } Beiträge
    } in diesem Zeitraum. Am besten: { $best }.
analytics-heat_summary_none = { $posts ->
        [one] 1 Beitrag
       *[other] { $posts } Beiträge
    } in diesem Zeitraum; zu wenige zu einer Stunde, um die beste zu nennen.
analytics-best_slot = { $day } um { $hour }:00 Uhr ({ $rate }, { $posts ->
        [one] 1 Beitrag
       *[other] { $posts } Beiträge
    })
analytics-best_none = Noch zu wenige Beiträge: Für eine beste Zeit braucht es mindestens zwei Beiträge zu dieser Stunde.
analytics-anomalies_title = Ungewöhnliche Tage
analytics-anomalies_empty = Nichts Ungewöhnliches: Jeder Tag blieb in seinem üblichen Bereich.
analytics-anomaly-spike = { $metric } von { $account } schnellten am { $day } hoch: { $value } statt üblicherweise { $median }.
analytics-anomaly-drop = { $metric } von { $account } fielen am { $day }: { $value } statt üblicherweise { $median }.
analytics-metric-views = Aufrufe
analytics-metric-reach = Reichweite
analytics-metric-engagements = Interaktionen
analytics-metric-follows = Neue Follower
analytics-metric-unfollows = Entfolgungen
analytics-metric-watch_time_secs = Wiedergabezeit
analytics-runs_title = Letzte Datenaktualisierungen
analytics-runs_empty = Herald hat noch keine Zahlen gelesen.
analytics-run_days = { $from } bis { $to }
analytics-finished = fertig { $at }
analytics-reason-backfill = Erstes Lesen (90 Tage)
analytics-reason-nightly = Nächtlich
analytics-reason-manual = Jetzt aktualisieren
analytics-status-queued = Wartet
analytics-status-running = Läuft
analytics-status-succeeded = Fertig
analytics-status-failed = Fehlgeschlagen
analytics-run_error-rate_limited = Das Limit der Plattform war erreicht; Herald macht später weiter.
analytics-run_error-unavailable = Die Plattform hat nicht geantwortet; Herald versucht es erneut.
analytics-run_error-reconnect = Das Konto muss neu verbunden werden.
analytics-run_error-other = Die Plattform hat eine Anfrage abgelehnt.
analytics-export_title = Als CSV herunterladen
analytics-export_hint = Jede Tabelle mit den Filtern oben, für Tabellenkalkulationen: einfache Zahlen mit Punkt als Dezimalzeichen, Raten als Anteile, Tage als JJJJ-MM-TT.
analytics-export-summary = Konten und Summen
analytics-export-growth = Wachstum, Tag für Tag
analytics-export-funnel = Interaktionstrichter
analytics-export-posts = Stärkste und schwächste Beiträge
analytics-export-best_times = Beste Zeiten
analytics-export-platforms = Plattformen
analytics-export-runs = Datenaktualisierungen
analytics-empty-connect_title = Noch keine Konten zum Messen
analytics-empty-connect_body = Verbinden Sie ein Instagram-, Facebook-, TikTok- oder YouTube-Konto: Herald liest dann seine Zahlen der letzten 90 Tage und danach jede Nacht.
analytics-empty-connect_action = Konto verbinden
analytics-empty-waiting_title = Die ersten Zahlen sind unterwegs
analytics-empty-waiting_body = Herald liest gerade die Zahlen Ihrer Konten bei den Plattformen. Das dauert einige Minuten; laden Sie die Seite dann neu.
analytics-empty-none_title = Noch keine Zahlen
analytics-empty-none_body = Herald liest die Zahlen jedes Kontos jede Nacht um 3:00 Uhr in dessen Zeitzone. Um sie jetzt zu sehen, aktualisieren Sie.
analytics-empty-none_body_viewer = Herald liest die Zahlen jedes Kontos jede Nacht um 3:00 Uhr in dessen Zeitzone; wer veröffentlichen darf, kann sie auch jetzt aktualisieren.
analytics-empty-filtered_title = Nichts passt zu diesen Filtern
analytics-empty-filtered_body = Keine Zahlen für dieses Konto, diese Plattform oder diese Themensäule in diesem Zeitraum.

## recommendations
recommendation-cadence_below_plan-title = Mehr auf { $platform } posten
recommendation-cadence_below_plan-evidence = Ihr Plan sieht { $planned } Beiträge pro Woche auf { $platform } vor; in den letzten 7 Tagen waren es { $posted }.
recommendation-format_unused-title = { $format } auf { $platform } posten
recommendation-format_unused-evidence = { $used ->
        [never] Sie haben auf { $platform } noch nichts als { $format } gepostet, obwohl Ihr Publikum dort so etwas sieht.
       *[other] Ihr letzter Beitrag als { $format } auf { $platform } ist { $days } Tage her.
    }
recommendation-pillar_neglected-title = „{ $pillar }“ einen Beitrag geben
recommendation-pillar_neglected-evidence = { $used ->
        [never] Zur Themensäule „{ $pillar }“ ist in den { $days } Tagen seit ihrer Anlage nichts erschienen.
       *[other] Zur Themensäule „{ $pillar }“ gab es seit { $days } Tagen keinen Beitrag.
    }
recommendation-engagement_falling-title = Die Interaktionen auf { $account } sinken
recommendation-engagement_falling-evidence = In den letzten 30 Tagen wurden { $rate } der Aufrufe zu Interaktionen, in den 30 Tagen davor { $previous }: { $change } weniger.
recommendation-best_hours_unused-title = Zur besten Stunde posten
recommendation-best_hours_unused-evidence = Ihre Beiträge liefen am besten am { $weekday } um { $hour } Uhr ({ $rate } Interaktionsrate), aber keiner Ihrer letzten { $posts } Beiträge erschien zu dieser Zeit.
recommendation-anomaly-title = Ein ungewöhnlicher Tag auf { $account }
recommendation-anomaly-evidence = { $metric } fielen am { $day } auf { $value }, üblich sind { $median }.

## learn
learn-title = Lernen
learn-lead = Was Ihre eigenen Zahlen als Nächstes nahelegen, und kurze Anleitungen für Beiträge, die funktionieren.
learn-recommendations_title = Für Sie empfohlen
learn-recommendations_empty = Gerade gibt es nichts zu empfehlen: Sie posten nach Plan und Ihre Zahlen sind stabil. Neue Empfehlungen erscheinen, sobald neue Zahlen kommen.
learn-open_dashboard = Statistiken öffnen
learn-read = Lesen:
learn-done_action = Erledigt
learn-dismiss_action = Verwerfen
learn-done-done = Als erledigt markiert. Sie kommt nur wieder, wenn sich die Zahlen ändern.
learn-done-dismissed = Verworfen. Sie kommt nur wieder, wenn sich die Zahlen ändern.
learn-done-gone = Diese Empfehlung gilt nicht mehr.
learn-next-compose = Editor öffnen
learn-next-compose_at = Beitrag für { $at } verfassen
learn-next-templates = Vorlagen öffnen
learn-next-cadence = Postingplan öffnen
learn-next-dashboard = Statistiken öffnen
learn-guides_title = Anleitungen
learn-guides_empty = Es sind keine Anleitungen installiert.
learn-minutes = { $n ->
        [one] 1 Minute Lesezeit
       *[other] { $n } Minuten Lesezeit
    }
learn-back = Lernen
learn-in_english = Diese Anleitung gibt es noch nicht auf Deutsch; hier ist sie auf Englisch.
learn-topic-formats = Formate
learn-topic-hooks = Einstiege und Texte
learn-topic-filming = Filmen
learn-topic-tone = Tonalität
learn-topic-accessibility = Barrierefreiheit
learn-topic-planning = Planung
learn-topic-analytics = Zahlen lesen
learn-topic-other = Weiteres
learn-format-reel = Reel
learn-format-carousel = Karussell
learn-format-short = Short
learn-format-video = Video
learn-format-photo = Fotobeitrag
studio-for_pillar = Für Ihre Themensäule „{ $pillar }“: Ein Entwurf, den Sie hier beginnen, gehört zu ihr.
error-analytics_invalid =
    { $field ->
        [period] Der Zeitraum muss 7d, 30d oder 90d sein.
        [limit] Das Limit muss zwischen 1 und 100 liegen.
        [rank] Beiträge werden nach engagement_rate, engagements, views oder newest geordnet.
        [platform] Die Plattform muss facebook, instagram, tiktok oder youtube sein.
        [account] Das ist nicht die ID eines verbundenen Kontos.
        [pillar] Das ist nicht die ID einer Themensäule.
        [time_zone] Die Zeitzone muss ein IANA-Name wie Europe/Berlin sein.
        [measure] Das Wachstumsdiagramm zeigt followers, views oder engagements.
       *[other] „{ $field }“ ist nicht gültig.
    }
error-analytics_account_not_found = Dieser Arbeitsbereich hat kein solches Konto.
error-guide_not_found = Diese Anleitung gibt es nicht.
error-recommendation_not_found = Diese Empfehlung gilt nicht mehr.
notice-analytics_anomaly = { $direction ->
        [spike] { $metric } von { $account } stiegen auf { $value } (üblich: { $median }).
       *[other] { $metric } von { $account } fielen auf { $value } (üblich: { $median }).
    }
notifications-kind-analytics_anomaly = Ungewöhnliche Tage in den Statistiken
notifications-describe-analytics_anomaly = Aufrufe, Reichweite, Interaktionen oder Follower eines verbundenen Kontos wichen weit vom Üblichen ab.
mail-notice-analytics_anomaly-subject = Ungewöhnliche Tage in Ihren Statistiken ({ $workspace })
mail-notice-analytics_anomaly-intro = Einige Zahlen wichen weit vom Üblichen ab:
