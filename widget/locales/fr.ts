/** French texts, one per id in `keys.ts` (same order); `${0}` marks where a value goes. */
export const texts = [
  "Trouvé :", // found
  "Tout fonctionne.", // test.passed
  "La boîte aux lettres est injoignable avec ces paramètres.", // test.failedlead
  "Connecté.", // oauth.done
  "La connexion n’a pas abouti.", // oauth.failed
  "Recherche de vos paramètres…", // addr.looking
  "Adresse", // stage.address
  "Connexion", // stage.signin
  "Test", // stage.test
  "Paramètres", // stage.final
  "Terminé", // done
  "Progression", // progress
  "Terminé :", // stage.completed
  "Chargement…", // loading
  "Le nom du serveur est introuvable.", // code.dns
  "Le serveur a refusé la connexion sur ce port.", // code.refused
  "Le serveur n’a pas répondu à temps.", // code.timeout
  "Le certificat de sécurité du serveur n’est pas valide.", // code.cert
  "Impossible d’établir une connexion sécurisée ; le réglage de sécurité ne correspond peut-être pas au port.", // code.tls
  "Le nom d’utilisateur ou le mot de passe a été refusé.", // code.auth
  "Ce fournisseur exige un mot de passe d’application au lieu de votre mot de passe habituel.", // code.apppw
  "La connexion a expiré ou a été révoquée. Reconnectez le compte.", // code.oauth
  "L’accès IMAP est désactivé pour cette boîte aux lettres.", // code.imapoff
  "L’envoi avec authentification SMTP est désactivé pour cette boîte aux lettres.", // code.smtpoff
  "La boîte aux lettres est introuvable sur le serveur.", // code.nombox
  "Cette adresse de serveur n’est pas autorisée.", // code.blocked
  "Le serveur a répondu de façon inattendue.", // code.protocol
  "Votre session a expiré. Rechargez la page pour continuer.", // code.session
  "Trop de tentatives. Attendez une minute, puis réessayez.", // code.rate
  "Le serveur est injoignable. Vérifiez votre connexion et réessayez.", // code.network
  "Aucune boîte aux lettres n’est encore connectée.", // code.notconf
  "La connexion avec ce fournisseur n’est pas configurée sur le serveur.", // code.oauthnotconf
  "L’accès n’a pas été accordé. Réessayez et autorisez l’accès à la boîte aux lettres.", // code.denied
  "Une erreur s’est produite sur le serveur.", // code.unknown
  "Vérifiez l’orthographe du nom du serveur.", // step.dns
  "Vérifiez le port et la sécurité : en IMAP, 993 utilise TLS et 143 STARTTLS ; en SMTP, 465 utilise TLS et 587 STARTTLS.", // step.port
  "Vérifiez le nom du serveur et le port, puis réessayez.", // step.timeout
  "Vérifiez le nom d’utilisateur (souvent l’adresse complète) et le mot de passe.", // step.auth
  "Créez un mot de passe d’application dans les paramètres de sécurité de votre fournisseur et utilisez-le ici.", // step.apppw
  "Activez l’accès dans les paramètres de la boîte aux lettres ou demandez à votre administrateur.", // step.enable
  "Serveur ${0}", // field.host
  "Port ${0}", // field.port
  "Sécurité ${0}", // field.security
  "Nom d’utilisateur ${0}", // field.username
  "Mot de passe", // password
  "Recherche du serveur", // phase.dns
  "Connexion", // phase.connect
  "Sécurisation de la connexion", // phase.tls
  "Accueil du serveur", // phase.greeting
  "Authentification", // phase.auth
  "Ouverture de la boîte de réception", // phase.mailbox
  "Fournisseurs connus", // source.builtin
  "Enregistrements de serveur de messagerie (MX)", // source.mx
  "Configuration automatique du domaine", // source.autoconfig
  "Enregistrements de service (SRV)", // source.srv
  "Base de données des fournisseurs", // source.ispdb
  "Essai des noms de serveur courants", // source.guess
  "Certain", // conf.high
  "Probable", // conf.medium
  "Supposition : à vérifier", // conf.low
  "TLS (chiffré)", // sec.tls
  "Aucune (non chiffré)", // sec.none
  "Saisissez une adresse e-mail.", // addr.empty
  "Saisissez une adresse comme support@example.com.", // addr.invalid
  "Connectez votre boîte d’assistance", // addr.title
  "Saisissez l’adresse à laquelle vos clients écrivent. Nous trouvons ses paramètres pour vous.", // addr.lead
  "Adresse e-mail", // addr.label
  "${0} ne peut pas être connecté en IMAP et SMTP.", // addr.unsupported
  "Recherché", // addr.looked
  "Recherche…", // addr.busy
  "Continuer", // continue
  "Configurer manuellement", // manual.link
  "Trouvé : ${0}", // auth.found
  "Aucun paramètre trouvé pour ce domaine", // auth.notfound
  "Connexion à votre boîte aux lettres", // auth.title
  "Pour votre sécurité, le mot de passe n’est pas conservé lors du rechargement de la page. Veuillez le saisir à nouveau.", // auth.lost
  "Continuer avec ${0}", // auth.oauth
  "Recommandé : aucun mot de passe n’est enregistré et vous pouvez révoquer l’accès à tout moment.", // auth.oauthhint
  "ou utilisez un mot de passe", // auth.or
  "Mot de passe d’application", // auth.apppw
  "Mot de passe ou mot de passe d’application", // auth.pwlabel
  "Tester la connexion", // auth.test
  "Votre boîte aux lettres est connectée", // done.title
  "Les nouveaux messages envoyés à cette adresse arrivent désormais ici, et les réponses partent de celle-ci.", // done.lead
  "Voir la connexion", // done.view
  "Toutes les minutes", // int.1
  "Toutes les 5 minutes", // int.5
  "Toutes les 15 minutes", // int.15
  "Toutes les 30 minutes", // int.30
  "Toutes les heures", // int.60
  "Derniers réglages", // final.title
  "Comment les réponses sont signées et comment le courrier est relevé.", // final.lead
  "Nom de l’expéditeur", // final.from
  "p. ex. Support Acme", // final.fromph
  "Affiché aux clients à côté de l’adresse dans chaque réponse.", // final.fromhint
  "Relever le courrier", // final.interval
  "Supprimer les messages de la boîte après leur traitement", // final.delete
  "Désactivé par défaut : les messages restent dans la boîte et sont seulement marqués comme lus.", // final.deletehint
  "Les messages supprimés ne peuvent pas être récupérés dans la boîte. N’activez cette option que si une autre copie est conservée.", // final.warning
  "Enregistrement…", // final.saving
  "Enregistrer et terminer", // final.save
  "Serveur", // manual.host
  "Port", // manual.port
  "Sécurité", // manual.security
  "Nom d’utilisateur", // manual.username
  "Laissez vide pour garder le mot de passe enregistré.", // manual.keep
  "Paramètres du serveur", // manual.title
  "Vérifiez les paramètres de ${0}. Tous sont modifiables.", // manual.lead
  "Autres paramètres possibles", // manual.alternatives
  "Courrier entrant (IMAP)", // manual.imap
  "Courrier sortant (SMTP)", // manual.smtp
  "Utiliser les mêmes identifiants pour l’envoi (SMTP)", // manual.same
  "Mot de passe SMTP", // manual.smtppw
  "Connexion avec ${0}", // oauth.title
  "Redirection vers ${0}…", // oauth.redirect
  "Terminez la connexion dans la fenêtre ${0}. Cette page continuera d’elle-même.", // oauth.waiting
  "Pas de fenêtre ? Elle est peut-être derrière celle-ci, ou votre navigateur l’a bloquée.", // oauth.nowindow
  "${0} vous demandera d’autoriser l’accès à cette boîte aux lettres.", // oauth.explain
  "Rouvrir la fenêtre", // oauth.again
  "Annuler", // cancel
  "Utiliser plutôt un mot de passe", // oauth.password
  "Connectée", // ov.connected
  "Ne fonctionne pas", // ov.failing
  "Connexion requise", // ov.reauth
  "Pas encore testée", // ov.untested
  "Boîte d’assistance", // ov.title
  "Dernier test réussi le ${0}.", // ov.lastok
  "Dernier test échoué le ${0}.", // ov.lastbad
  "Pas encore testée.", // ov.never
  "Déconnecter cette boîte aux lettres ? Ses paramètres et la connexion enregistrée seront supprimés.", // ov.confirm
  "Déconnecter", // ov.disconnect
  "La garder", // ov.keep
  "Reconnecter", // reconnect
  "Tester à nouveau", // ov.retest
  "Modifier les serveurs", // ov.edit
  "Préférences", // ov.prefs
  "Retour", // back
  "Boîte aux lettres", // sum.mailbox
  "Connexion", // sum.signin
  "Entrant", // sum.incoming
  "Sortant", // sum.outgoing
  "Relève", // sum.checks
  "Après traitement", // sum.after
  "Supprimés", // sum.deleted
  "Conservés dans la boîte", // sum.kept
  "Fonctionne", // test.works
  "Échec", // test.failed
  "terminé", // test.phaseok
  "échec", // test.phasebad
  "Réglage à vérifier :", // test.field
  "Détails techniques", // test.details
  "Test de la connexion", // test.title
  "Connexion pour la réception et l’envoi… cela prend quelques secondes.", // test.running
  "Réception (IMAP)", // test.imap
  "Envoi (SMTP)", // test.smtp
  "Corriger le réglage", // test.fix
  "Modifier les paramètres", // test.edit
  "Réessayer", // retry
  "Cette connexion a expiré. Recommencez-la.", // code.expired
  "Le fournisseur n’a pas pu terminer la connexion. Réessayez dans un instant.", // code.provider
  "L’accès au courrier n’a pas été accordé. Reconnectez-vous et autorisez toutes les permissions demandées.", // code.scope
  "Saisissez le mot de passe de la boîte (ou un mot de passe d’application).", // code.pwreq
  "Un mot de passe ne peut pas être envoyé sur une connexion non chiffrée ; choisissez TLS ou STARTTLS.", // code.insecure
];
