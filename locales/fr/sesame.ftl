# Sesame : français.

## Shared

language-name = Français
footer-line = { $product } · connexion sans mot de passe
footer-request-id = Identifiant de la requête : { $id }
nav-profile = Votre profil
nav-apps = Applications connectées
nav-identifiers = Adresses de connexion
nav-sign-out = Se déconnecter
nav-home = Retour à l’accueil
nav-back-to-app = Retour à { $client }
privacy-policy = Politique de confidentialité
terms-of-service = Conditions d’utilisation
datetime = { $day }/{ $month }/{ $year } { $hour }:{ $minute } UTC

wait-minutes = { $n ->
    [one] une minute
   *[other] { $n } minutes
}
wait-hours = { $n ->
    [one] une heure
   *[other] { $n } heures
}

## Sign-in: the address page

identifier-title = Se connecter à { $client }
identifier-intro-email = Nous allons envoyer un code à 6 chiffres à votre adresse e-mail. Aucun mot de passe n’est nécessaire.
identifier-intro-either = Nous allons envoyer un code à 6 chiffres à votre adresse e-mail ou à votre téléphone. Aucun mot de passe n’est nécessaire.
identifier-label-email = Adresse e-mail
identifier-label-either = Adresse e-mail ou numéro de téléphone
identifier-submit = M’envoyer un code

identifier-error-empty = Saisissez votre adresse e-mail.
identifier-error-invalid = Cela ne ressemble pas à une adresse e-mail. Vérifiez-la et réessayez.
identifier-error-too-long = Cette adresse est trop longue.
identifier-error-invisible = Cela ne ressemble pas à une adresse e-mail : elle contient un caractère invisible ou de mise en forme (souvent récupéré lors d’un copier-coller). Saisissez-la de nouveau à la main.
identifier-error-empty-either = Saisissez votre adresse e-mail ou votre numéro de téléphone.
identifier-error-not-email-or-phone = Saisissez une adresse e-mail (comme nom@example.com) ou un numéro de téléphone.
identifier-error-invalid-phone = Nous ne pouvons pas utiliser ce numéro de téléphone. Vérifiez-le, ou saisissez-le avec l’indicatif du pays (par exemple { $example }).
identifier-error-not-mobile = Ce numéro ne peut pas recevoir de SMS. Utilisez un numéro de mobile ou votre adresse e-mail.
identifier-error-phone-unavailable = La connexion avec un numéro de téléphone n’est pas disponible ici. Utilisez votre adresse e-mail.

## Sign-in: the code page

code-page-title = Saisissez votre code
code-intro = Nous avons envoyé un code à 6 chiffres à { $masked } pour vous connecter à { $client }. Il peut mettre une minute à arriver.
code-label = Code à 6 chiffres
code-submit = Se connecter
code-resend = Envoyer un nouveau code
code-restart = Utiliser une autre adresse
code-error-format = Saisissez le code à 6 chiffres reçu dans le message.
code-error-wrong = { $remaining ->
    [0] Ce code n’est pas le bon. Demandez un nouveau code.
    [one] Ce code n’est pas le bon. Il vous reste 1 essai.
   *[other] Ce code n’est pas le bon. Il vous reste { $remaining } essais.
}
code-error-too-many = Trop d’essais erronés : ce code ne fonctionne plus. Demandez un nouveau code.
code-error-expired = Ce code a expiré ou a déjà été utilisé. Demandez un nouveau code.
code-notice-sent = Nous avons envoyé un nouveau code. Seul le plus récent fonctionne.
code-notice-wait = { $seconds ->
    [one] Votre code est en route. Vous pourrez en demander un autre dans 1 seconde.
   *[other] Votre code est en route. Vous pourrez en demander un autre dans { $seconds } secondes.
}
code-delivery-failed = Nous n’avons pas pu envoyer le code. Veuillez réessayer dans un instant.
code-delivery-failed-sms = Nous n’avons pas pu envoyer de SMS à ce numéro pour le moment. Veuillez réessayer dans un instant, ou connectez-vous avec votre adresse e-mail.
code-delivery-delayed = L’envoi du code prend plus de temps que d’habitude. Nous continuons d’essayer : il devrait bientôt arriver.

## Limits

pause-identifier-failures = Pour votre sécurité, les codes de connexion pour cette adresse sont suspendus après trop de codes erronés. Veuillez réessayer dans environ { $wait }.
pause-identifier-sends = Plusieurs codes ont été demandés récemment pour cette adresse. Utilisez le plus récent que vous avez reçu, ou réessayez dans environ { $wait }.
pause-ip-sends = De nombreux codes ont été demandés récemment depuis votre réseau. Veuillez réessayer dans environ { $wait }.
pause-ip-failures = Trop de codes erronés ont été saisis depuis votre réseau. Veuillez réessayer dans environ { $wait }.
sms-denied-country = Les SMS ne sont pas disponibles pour ce pays. Connectez-vous plutôt avec votre adresse e-mail.
sms-denied-budget = La connexion par SMS est suspendue pour aujourd’hui. Connectez-vous avec votre adresse e-mail, ou réessayez demain.
sms-denied-network = De nombreux codes ont été demandés récemment depuis votre réseau ; nous n’enverrons donc pas d’autre SMS pour l’instant. Veuillez réessayer dans environ { $wait }, ou connectez-vous avec votre adresse e-mail.
sms-denied-number = Nous avons déjà envoyé plusieurs codes à ce numéro. Pour le protéger, nous n’en enverrons pas d’autre pour l’instant. Veuillez réessayer dans environ { $wait }, ou connectez-vous avec votre adresse e-mail.

## Consent

consent-title = Autoriser { $client } à utiliser votre compte ?
consent-intro = Vous êtes connecté en tant que { $who }. { $client } n’est pas géré par { $product }. L’application demande à :
consent-withdraw-later = Vous pourrez retirer cette autorisation plus tard sur la page des applications connectées ; { $client } perdra alors l’accès.
consent-allow = Autoriser
consent-cancel = Annuler et revenir
scope-openid = Savoir qui vous êtes sur { $product } (l’identifiant de votre compte)
scope-email = Voir votre adresse e-mail
scope-phone = Voir votre numéro de téléphone
scope-profile = Voir votre nom et les informations de profil que vous avez ajoutées
scope-address = Voir votre adresse postale
scope-groups = Voir les groupes dont vous faites partie
scope-offline-access = Rester connectée quand vous ne l’utilisez pas, jusqu’à ce que vous retiriez son accès
scope-other = Utiliser l’autorisation « { $scope } »

## Account pages

signed-in-as = Connecté en tant que { $who }
profile-title = Votre profil
profile-intro = Tout est facultatif ici. Les applications n’y ont accès que si vous les autorisez à voir votre profil ou votre adresse.
profile-saved = Votre profil est enregistré.
profile-group-name = Nom
profile-group-web = Sur le web
profile-group-about = À propos de vous
profile-group-address = Adresse
profile-name = Nom complet
profile-given-name = Prénom
profile-middle-name = Deuxième prénom
profile-family-name = Nom de famille
profile-nickname = Surnom
profile-username = Nom d’utilisateur
profile-profile = Page de profil (https://…)
profile-picture = Photo (https://…)
profile-website = Site web (https://…)
profile-gender = Genre
profile-birthdate = Date de naissance (AAAA-MM-JJ)
profile-zoneinfo = Fuseau horaire (par exemple Europe/Paris)
profile-locale = Langue (par exemple fr-FR)
profile-address = Adresse postale
profile-country = Pays
profile-save = Enregistrer
apps-title = Applications connectées
apps-withdrawn = { $client } n’a plus accès à votre compte.
apps-none = Vous n’avez autorisé aucune application à utiliser votre compte.
apps-intro = Ces applications ne sont pas gérées par { $product }. Vous avez autorisé chacune d’elles à utiliser votre compte ; retirer l’autorisation déconnecte aussitôt l’application de votre compte.
apps-may = Elle peut :
apps-withdraw = Retirer l’autorisation de { $client }

## Devices

device-title = Connecter un appareil
device-intro = Saisissez le code affiché par votre appareil.
device-label = Code
device-submit = Continuer
device-error-wrong = Ce code n’est pas le bon, ou il a expiré. Vérifiez le code sur votre appareil et réessayez.
device-confirm-title = Se connecter à { $client } sur votre appareil ?
device-confirm-intro = Vous êtes connecté en tant que { $who }. N’autorisez que si vous avez lancé cette opération sur un appareil qui vous appartient et qu’il affiche le code que vous avez saisi. { $client } pourra :
device-allow = Autoriser
device-deny = Refuser
device-done-approved = Votre appareil est connecté
    .message = Vous pouvez revenir à votre appareil ; il continue tout seul.
device-done-denied = Demande refusée
    .message = Votre appareil n’a pas reçu l’accès. Vous pouvez fermer cette fenêtre.

## Signing out

logout-title = Se déconnecter de { $product } ?
logout-asked-by = { $client } vous demande de vous déconnecter.
logout-intro = La déconnexion met fin à votre session { $product } dans ce navigateur. Les applications auxquelles vous vous êtes connecté peuvent vous garder connecté jusqu’à ce que vous vous en déconnectiez aussi.
logout-submit = Se déconnecter
logout-unverified = La demande de déconnexion de l’application n’a pas pu être vérifiée (son jeton d’identité n’a pas été émis par nous ou a été modifié) ; nous ne vous renverrons donc pas vers elle.
logout-done-title = Vous êtes déconnecté
logout-done-client = Votre session { $product } dans ce navigateur est terminée. Vous pouvez revenir à { $client } ou fermer cette fenêtre.
logout-done-plain = Votre session { $product } dans ce navigateur est terminée. Vous pouvez fermer cette fenêtre.

## Returning to the app (form post)

form-post-title = Retour à l’application
form-post-intro = Si rien ne se passe, appuyez sur Continuer.
form-post-submit = Continuer

## Demo (development mode)

demo-home-title = Essayez : connectez-vous à l’application de démonstration
demo-home-intro = Cette page est un petit client OpenID intégré au mode développement. Elle lance une vraie demande d’autorisation (flux par code avec PKCE) auprès de ce serveur, puis affiche le jeton d’identité reçu et la réponse userinfo. Les codes sont envoyés par le serveur SMTP configuré, ou affichés dans le terminal où tourne Sesame s’il n’y en a pas.
demo-mode = mode développement
demo-start = Se connecter à l’application de démonstration
demo-discovery = Découverte :
demo-result-title = Vous êtes connecté
demo-app = Application de démonstration
demo-result-intro = La signature, l’émetteur, l’audience, l’expiration et le nonce du jeton d’identité ont été vérifiés avec les clés publiées par le serveur.
demo-claims = Claims du jeton d’identité
demo-userinfo = Userinfo
demo-times = Dates du jeton

## Error pages

error-not-found = Page introuvable
    .message = Il n’y a pas de page à cette adresse. Vérifiez l’adresse, ou revenez à la page d’où vous venez.
error-internal = Un problème est survenu
    .message = Nous n’avons pas pu terminer cette étape. Veuillez revenir à l’application et réessayer.
error-unavailable = Temporairement indisponible
    .message = La connexion est temporairement indisponible. Veuillez réessayer dans un instant.
error-session-expired = Cette connexion a expiré
    .message = Veuillez revenir à l’application à laquelle vous vous connectiez et recommencer.
error-link-altered = Ce lien de connexion n’est pas valide
    .message = L’adresse de cette page a été modifiée ou est incomplète. Veuillez revenir à l’application à laquelle vous vous connectiez et recommencer.
error-link-other-browser = Ouvrez ce lien là où vous avez commencé
    .message = Ce lien de connexion ne fonctionne qu’une fois, et seulement dans le navigateur où l’adresse a été saisie. Si vous n’êtes pas encore connecté, revenez à cette fenêtre et saisissez-y le code à 6 chiffres du même message.
error-form-expired = Ce formulaire a expiré
    .message = Pour votre sécurité, nous n’avons pas pu accepter ce formulaire. Veuillez revenir à l’application et vous reconnecter.
error-form-unreadable = Ce formulaire n’a pas pu être lu
    .message = Une partie de ce qui a été envoyé ne correspond pas à ce que cette page attend. Veuillez revenir à l’application et vous reconnecter.
error-not-signed-in = Vous n’êtes pas connecté
    .message = Connectez-vous d’abord à une application qui utilise ce service, puis revenez sur cette page.
error-too-many-requests = Trop de demandes de connexion
    .message = Trop de demandes de connexion viennent d’arriver depuis votre réseau. Patientez un instant, puis revenez à l’application et réessayez.
error-device-wait = Veuillez patienter un instant
    .message = Trop de codes d’appareil erronés ont été saisis depuis votre réseau. Veuillez réessayer dans environ { $wait }.
error-device-expired = Ce code a expiré
    .message = Le code de l’appareil n’est plus valide. Recommencez sur votre appareil pour en obtenir un nouveau.
error-invalid-link = Ce lien de connexion n’est pas valide
error-invalid-logout = Cette demande de déconnexion n’est pas valide
error-unknown-app = Application inconnue
    .message = L’application qui vous a envoyé ici n’est pas enregistrée auprès de ce service de connexion.

## The code message (email and SMS)

email-subject = { $code } est votre code { $product }
email-heading = Votre code { $product }
email-text-first = Votre code { $product } est :
email-enter = Saisissez ce code pour vous connecter à { $client } :
email-enter-text = Saisissez-le pour vous connecter à { $client }.
email-expires = { $minutes ->
    [one] Il expire dans 1 minute.
   *[other] Il expire dans { $minutes } minutes.
}
email-ignore = Si vous n’avez pas demandé ce code, vous pouvez ignorer ce message. Ne le communiquez jamais : nous ne vous le demanderons jamais.
email-requested-at = { $product }, demandé sur { $host }
email-link-text = Ou ouvrez ce lien dans le navigateur où vous avez commencé à vous connecter :
email-link-button = Se connecter à { $client }
link-page-title = Se connecter à { $client } ?
link-intro = Ce lien a été envoyé à { $masked }. Appuyez sur le bouton pour terminer la connexion à { $client } dans ce navigateur.
link-submit = Se connecter
ids-title = Adresses de connexion
ids-intro = Chacune d’elles vous connecte à ce même compte. Ajoutez l’autre pour vous connecter avec l’une ou l’autre.
ids-email = Adresse e-mail
ids-phone = Numéro de téléphone
ids-none = Non défini
ids-remove = Retirer
ids-add-label = Ajouter une adresse e-mail ou un numéro de téléphone
ids-add-submit = Envoyer un code
ids-code-intro = Nous avons envoyé un code à 6 chiffres à { $masked }. Saisissez-le ici pour l’ajouter à votre compte.
ids-code-submit = Ajouter
ids-cancel = Annuler
ids-added = Ajouté : il vous connecte désormais à ce compte.
ids-removed = Retiré : il ne vous connecte plus à ce compte.
ids-error-already = Ceci figure déjà sur votre compte.
ids-error-held = Impossible de l’ajouter : il permet déjà de se connecter à un autre compte. Retirez-le d’abord de celui-ci.
ids-error-last = Vous ne pouvez pas retirer votre seul moyen de connexion.
ids-mail-client = votre compte { $product }
sms-text = { $code } est votre code { $product }

## The authorization request, refused as a page

authorize-unregistered-redirect = L’application a demandé à revenir à une adresse qu’elle n’a pas enregistrée ; nous nous sommes donc arrêtés ici.
authorize-unregistered-redirect-dev = L’application a demandé à revenir à une adresse qu’elle n’a pas enregistrée ; nous nous sommes donc arrêtés ici. (Mode développement : elle a demandé { $received } ; elle a enregistré { $registered }.)
authorize-bad-request = L’application a envoyé une demande que nous ne pouvons pas accepter ({ $detail }). Veuillez revenir en arrière et réessayer.
authorize-no-client-id = La demande ne nomme aucune application (client_id manque).
authorize-no-redirect-uri = La demande ne dit pas où revenir (redirect_uri manque).
authorize-redirect-too-long = L’adresse de retour demandée par l’application dépasse { $bytes } octets ; nous nous sommes donc arrêtés ici.
who-phone = le numéro de téléphone se terminant par { $digits }
who-account = votre compte
profile-error-length = { $field } : au plus { $max } caractères, sur une seule ligne.
profile-error-url = { $field } : saisissez une adresse https:// complète.
profile-error-birthdate = Date de naissance : au format AAAA-MM-JJ (ou simplement AAAA).
profile-error-zoneinfo = Fuseau horaire : un nom comme Europe/Paris.
profile-error-locale = Langue : une étiquette comme fr-FR.
demo-error = L’application de démonstration n’a pas pu terminer
    .message = Le client de démonstration a signalé : { $detail }
logout-error-other-client = Le jeton d’identité envoyé par l’application a été émis pour une autre application (client_id ne correspond pas).
logout-error-unknown-client = L’application qui vous a envoyé ici n’est plus enregistrée.
logout-error-bad-return = L’adresse de retour n’est pas valide.
logout-error-unregistered-return = L’application a demandé à vous envoyer vers une adresse qu’elle n’a pas enregistrée pour la déconnexion ; nous nous sommes donc arrêtés ici. Vous êtes toujours connecté.
