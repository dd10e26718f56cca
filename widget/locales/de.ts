/** German texts, one per id in `keys.ts` (same order); `${0}` marks where a value goes. */
export const texts = [
  "Gefunden:", // found
  "Alles funktioniert.", // test.passed
  "Mit diesen Einstellungen ist das Postfach nicht erreichbar.", // test.failedlead
  "Angemeldet.", // oauth.done
  "Die Anmeldung wurde nicht abgeschlossen.", // oauth.failed
  "Einstellungen werden gesucht…", // addr.looking
  "Adresse", // stage.address
  "Anmelden", // stage.signin
  "Test", // stage.test
  "Einstellungen", // stage.final
  "Fertig", // done
  "Fortschritt", // progress
  "Erledigt:", // stage.completed
  "Wird geladen…", // loading
  "Der Servername wurde nicht gefunden.", // code.dns
  "Der Server hat die Verbindung auf diesem Port abgelehnt.", // code.refused
  "Der Server hat nicht rechtzeitig geantwortet.", // code.timeout
  "Das Sicherheitszertifikat des Servers ist ungültig.", // code.cert
  "Es konnte keine sichere Verbindung aufgebaut werden; die Sicherheitseinstellung passt vielleicht nicht zum Port.", // code.tls
  "Benutzername oder Passwort wurden nicht akzeptiert.", // code.auth
  "Dieser Anbieter verlangt ein App-Passwort statt Ihres normalen Passworts.", // code.apppw
  "Die Anmeldung ist abgelaufen oder wurde widerrufen. Verbinden Sie das Konto erneut.", // code.oauth
  "Der IMAP-Zugriff ist für dieses Postfach ausgeschaltet.", // code.imapoff
  "Das Senden mit SMTP-Anmeldung ist für dieses Postfach ausgeschaltet.", // code.smtpoff
  "Das Postfach wurde auf dem Server nicht gefunden.", // code.nombox
  "Diese Serveradresse ist nicht erlaubt.", // code.blocked
  "Der Server hat unerwartet geantwortet.", // code.protocol
  "Ihre Sitzung ist abgelaufen. Laden Sie die Seite neu, um fortzufahren.", // code.session
  "Zu viele Versuche. Warten Sie eine Minute und versuchen Sie es dann erneut.", // code.rate
  "Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.", // code.network
  "Es ist noch kein Postfach verbunden.", // code.notconf
  "Die Anmeldung bei diesem Anbieter ist auf dem Server nicht eingerichtet.", // code.oauthnotconf
  "Der Zugriff wurde nicht gewährt. Versuchen Sie es erneut und erlauben Sie den Zugriff auf das Postfach.", // code.denied
  "Auf dem Server ist ein Fehler aufgetreten.", // code.unknown
  "Prüfen Sie die Schreibweise des Servernamens.", // step.dns
  "Prüfen Sie Port und Sicherheit: Bei IMAP nutzt 993 TLS und 143 STARTTLS; bei SMTP nutzt 465 TLS und 587 STARTTLS.", // step.port
  "Prüfen Sie Servername und Port und versuchen Sie es erneut.", // step.timeout
  "Prüfen Sie den Benutzernamen (oft die vollständige Adresse) und das Passwort.", // step.auth
  "Erstellen Sie in den Sicherheitseinstellungen Ihres Anbieters ein App-Passwort und verwenden Sie es hier.", // step.apppw
  "Schalten Sie den Zugriff in den Einstellungen des Postfachs ein oder fragen Sie Ihre Administration.", // step.enable
  "${0}-Server", // field.host
  "${0}-Port", // field.port
  "${0}-Sicherheit", // field.security
  "${0}-Benutzername", // field.username
  "Passwort", // password
  "Server wird gesucht", // phase.dns
  "Verbindung wird aufgebaut", // phase.connect
  "Verbindung wird gesichert", // phase.tls
  "Begrüßung des Servers", // phase.greeting
  "Anmeldung", // phase.auth
  "Posteingang wird geöffnet", // phase.mailbox
  "Bekannte Anbieter", // source.builtin
  "Mailserver-Einträge (MX)", // source.mx
  "Autokonfiguration der Domain", // source.autoconfig
  "Diensteinträge (SRV)", // source.srv
  "Anbieterdatenbank", // source.ispdb
  "Übliche Servernamen werden probiert", // source.guess
  "Sicher", // conf.high
  "Wahrscheinlich", // conf.medium
  "Vermutung: bitte prüfen", // conf.low
  "TLS (verschlüsselt)", // sec.tls
  "Keine (unverschlüsselt)", // sec.none
  "Geben Sie eine E-Mail-Adresse ein.", // addr.empty
  "Geben Sie eine Adresse wie support@example.com ein.", // addr.invalid
  "Support-Postfach verbinden", // addr.title
  "Geben Sie die Adresse ein, an die Ihre Kunden schreiben. Wir finden die Einstellungen für Sie.", // addr.lead
  "E-Mail-Adresse", // addr.label
  "${0} lässt sich nicht über IMAP und SMTP verbinden.", // addr.unsupported
  "Nachgesehen", // addr.looked
  "Wird gesucht…", // addr.busy
  "Weiter", // continue
  "Manuell einrichten", // manual.link
  "Gefunden: ${0}", // auth.found
  "Für diese Domain wurden keine Einstellungen gefunden", // auth.notfound
  "Beim Postfach anmelden", // auth.title
  "Zu Ihrer Sicherheit wird das Passwort beim Neuladen der Seite nicht behalten. Bitte geben Sie es erneut ein.", // auth.lost
  "Weiter mit ${0}", // auth.oauth
  "Empfohlen: Es wird kein Passwort gespeichert, und Sie können den Zugriff jederzeit widerrufen.", // auth.oauthhint
  "oder mit Passwort", // auth.or
  "App-Passwort", // auth.apppw
  "Passwort oder App-Passwort", // auth.pwlabel
  "Verbindung testen", // auth.test
  "Ihr Postfach ist verbunden", // done.title
  "Neue Nachrichten an diese Adresse kommen jetzt hier an, und Antworten werden von ihr gesendet.", // done.lead
  "Verbindung ansehen", // done.view
  "Jede Minute", // int.1
  "Alle 5 Minuten", // int.5
  "Alle 15 Minuten", // int.15
  "Alle 30 Minuten", // int.30
  "Jede Stunde", // int.60
  "Letzte Einstellungen", // final.title
  "Wie Antworten unterschrieben und Nachrichten abgeholt werden.", // final.lead
  "Absendername", // final.from
  "z. B. Acme Support", // final.fromph
  "Wird Kunden bei jeder Antwort neben der Adresse angezeigt.", // final.fromhint
  "Nach neuer Post sehen", // final.interval
  "Nachrichten nach der Verarbeitung aus dem Postfach löschen", // final.delete
  "Standardmäßig aus: Nachrichten bleiben im Postfach und werden nur als gelesen markiert.", // final.deletehint
  "Gelöschte Nachrichten lassen sich im Postfach nicht wiederherstellen. Schalten Sie das nur ein, wenn eine andere Kopie aufbewahrt wird.", // final.warning
  "Wird gespeichert…", // final.saving
  "Speichern und abschließen", // final.save
  "Server", // manual.host
  "Port", // manual.port
  "Sicherheit", // manual.security
  "Benutzername", // manual.username
  "Leer lassen, um das gespeicherte Passwort zu behalten.", // manual.keep
  "Servereinstellungen", // manual.title
  "Prüfen Sie die Einstellungen für ${0}. Alle lassen sich ändern.", // manual.lead
  "Weitere Einstellungen, die funktionieren könnten", // manual.alternatives
  "Eingehende Post (IMAP)", // manual.imap
  "Ausgehende Post (SMTP)", // manual.smtp
  "Denselben Benutzernamen und dasselbe Passwort zum Senden (SMTP) verwenden", // manual.same
  "SMTP-Passwort", // manual.smtppw
  "Mit ${0} anmelden", // oauth.title
  "Weiter zu ${0}…", // oauth.redirect
  "Schließen Sie die Anmeldung im ${0}-Fenster ab. Diese Seite macht dann von selbst weiter.", // oauth.waiting
  "Kein Fenster zu sehen? Es liegt vielleicht dahinter, oder Ihr Browser hat es blockiert.", // oauth.nowindow
  "${0} fragt Sie, ob Sie den Zugriff auf dieses Postfach erlauben.", // oauth.explain
  "Fenster erneut öffnen", // oauth.again
  "Abbrechen", // cancel
  "Stattdessen ein Passwort verwenden", // oauth.password
  "Verbunden", // ov.connected
  "Funktioniert nicht", // ov.failing
  "Anmeldung nötig", // ov.reauth
  "Noch nicht getestet", // ov.untested
  "Support-Postfach", // ov.title
  "Letzter Test erfolgreich am ${0}.", // ov.lastok
  "Letzter Test fehlgeschlagen am ${0}.", // ov.lastbad
  "Noch nicht getestet.", // ov.never
  "Dieses Postfach trennen? Seine Einstellungen und die gespeicherte Anmeldung werden gelöscht.", // ov.confirm
  "Trennen", // ov.disconnect
  "Behalten", // ov.keep
  "Erneut verbinden", // reconnect
  "Erneut testen", // ov.retest
  "Server bearbeiten", // ov.edit
  "Einstellungen", // ov.prefs
  "Zurück", // back
  "Postfach", // sum.mailbox
  "Anmeldung", // sum.signin
  "Eingehend", // sum.incoming
  "Ausgehend", // sum.outgoing
  "Abruf", // sum.checks
  "Nach der Verarbeitung", // sum.after
  "Gelöscht", // sum.deleted
  "Bleiben im Postfach", // sum.kept
  "Funktioniert", // test.works
  "Fehlgeschlagen", // test.failed
  "erledigt", // test.phaseok
  "fehlgeschlagen", // test.phasebad
  "Zu prüfende Einstellung:", // test.field
  "Technische Details", // test.details
  "Verbindung wird getestet", // test.title
  "Anmeldung zum Empfangen und Senden… das dauert ein paar Sekunden.", // test.running
  "Empfangen (IMAP)", // test.imap
  "Senden (SMTP)", // test.smtp
  "Einstellung korrigieren", // test.fix
  "Einstellungen bearbeiten", // test.edit
  "Erneut versuchen", // retry
  "Diese Anmeldung ist abgelaufen. Starten Sie sie erneut.", // code.expired
  "Der Anbieter konnte die Anmeldung nicht abschließen. Versuchen Sie es gleich noch einmal.", // code.provider
  "Der Zugriff auf die Post wurde nicht gewährt. Melden Sie sich erneut an und erlauben Sie alle angefragten Berechtigungen.", // code.scope
  "Geben Sie das Passwort des Postfachs (oder ein App-Passwort) ein.", // code.pwreq
  "Ein Passwort kann nicht über eine unverschlüsselte Verbindung gesendet werden; wählen Sie TLS oder STARTTLS.", // code.insecure
];
