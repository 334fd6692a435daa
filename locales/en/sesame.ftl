# Sesame's hosted pages, emails and text messages: English (the reference catalog).
# Every other language has exactly these messages and attributes (a test checks it).
# Variables: $product is the deployment's product name, $client the app's name.

## Shared

language-name = English
footer-line = { $product } · sign-in without a password
footer-request-id = Request id: { $id }
nav-profile = Your profile
nav-apps = Connected apps
nav-identifiers = Sign-in addresses
nav-sign-out = Sign out
nav-home = Back to the start
nav-back-to-app = Back to { $client }
privacy-policy = Privacy policy
terms-of-service = Terms of service
datetime = { $year }-{ $month }-{ $day } { $hour }:{ $minute } UTC

# How long to wait, inside other sentences.
wait-minutes = { $n ->
    [one] a minute
   *[other] { $n } minutes
}
wait-hours = { $n ->
    [one] an hour
   *[other] { $n } hours
}

## Sign-in: the address page

identifier-title = Sign in to { $client }
identifier-intro-email = We will send a 6-digit code to your email address. No password needed.
identifier-intro-either = We will send a 6-digit code to your email address or phone. No password needed.
identifier-label-email = Email address
identifier-label-either = Email address or phone number
identifier-submit = Send me a code

identifier-error-empty = Enter your email address.
identifier-error-invalid = That does not look like an email address. Check it and try again.
identifier-error-too-long = That address is too long.
identifier-error-invisible = That does not look like an email address: it contains an invisible or formatting character (often picked up when copying). Type it again by hand.
identifier-error-empty-either = Enter your email address or phone number.
identifier-error-not-email-or-phone = Enter an email address (like name@example.com) or a phone number.
identifier-error-invalid-phone = That does not look like a phone number we can use. Check it, or type it with its country code (for example { $example }).
identifier-error-not-mobile = That number cannot receive text messages. Use a mobile number or your email address.
identifier-error-phone-unavailable = Signing in with a phone number is not available here. Use your email address.

## Sign-in: the code page

code-page-title = Enter your code
code-intro = We sent a 6-digit code to { $masked } to sign in to { $client }. It may take a minute to arrive.
code-label = 6-digit code
code-submit = Sign in
code-resend = Send a new code
code-restart = Use a different address
code-error-format = Enter the 6-digit code from the message.
code-error-wrong = { $remaining ->
    [0] That code is not right. Ask for a new code.
    [one] That code is not right. You have 1 try left.
   *[other] That code is not right. You have { $remaining } tries left.
}
code-error-too-many = Too many wrong tries: this code no longer works. Ask for a new code.
code-error-expired = This code has expired or was already used. Ask for a new code.
code-notice-sent = We sent a new code. Only the newest code works.
code-notice-wait = { $seconds ->
    [one] Your code is on its way. You can ask for another one in 1 second.
   *[other] Your code is on its way. You can ask for another one in { $seconds } seconds.
}
code-delivery-failed = We could not send the code. Please try again in a moment.
code-delivery-failed-sms = We could not send a text message to this number just now. Please try again in a moment, or sign in with your email address.
code-delivery-delayed = Sending the code is taking longer than usual. We keep trying: it should arrive soon.

## Limits

pause-identifier-failures = For your safety, sign-in codes for this address are paused after too many wrong codes. Please try again in about { $wait }.
pause-identifier-sends = Several codes were requested for this address recently. Please use the newest one you received, or try again in about { $wait }.
pause-ip-sends = Many codes were requested from your network recently. Please try again in about { $wait }.
pause-ip-failures = Too many wrong codes were entered from your network. Please try again in about { $wait }.
sms-denied-country = SMS is not available for this country. Please sign in with your email address instead.
sms-denied-budget = Sign-in by text message is paused for today. Please sign in with your email address instead, or try again tomorrow.
sms-denied-network = Many codes have been asked for from your network recently, so we will not send another text message for now. Please try again in about { $wait }, or sign in with your email address.
sms-denied-number = We have already sent several codes to this number. To protect it, we will not send another one for now. Please try again in about { $wait }, or sign in with your email address.

## Consent

consent-title = Allow { $client } to use your account?
consent-intro = You are signed in as { $who }. { $client } is not run by { $product }. It asks to:
consent-withdraw-later = You can withdraw this permission later on your connected apps page; { $client } then loses access.
consent-allow = Allow
consent-cancel = Cancel and go back
scope-openid = Know who you are on { $product } (your account identifier)
scope-email = See your email address
scope-phone = See your phone number
scope-profile = See your name and the profile details you added
scope-address = See your postal address
scope-groups = See which groups you are in
scope-offline-access = Stay connected when you are not using it, until you revoke its access
scope-other = Use the permission “{ $scope }”

## Account pages

signed-in-as = Signed in as { $who }
profile-title = Your profile
profile-intro = Everything here is optional. Apps see it only when you allow them to see your profile or address.
profile-saved = Your profile is saved.
profile-group-name = Name
profile-group-web = On the web
profile-group-about = About you
profile-group-address = Address
profile-name = Full name
profile-given-name = Given name
profile-middle-name = Middle name
profile-family-name = Family name
profile-nickname = Nickname
profile-username = Username
profile-profile = Profile page (https://…)
profile-picture = Picture (https://…)
profile-website = Website (https://…)
profile-gender = Gender
profile-birthdate = Birth date (YYYY-MM-DD)
profile-zoneinfo = Time zone (for example Europe/Paris)
profile-locale = Language (for example en-GB)
profile-address = Postal address
profile-country = Country
profile-save = Save
apps-title = Connected apps
apps-withdrawn = { $client } no longer has access to your account.
apps-none = You have not allowed any app to use your account.
apps-intro = These apps are not run by { $product }. You allowed each of them to use your account; withdrawing the permission signs the app out of your account at once.
apps-may = It may:
apps-withdraw = Withdraw the permission of { $client }

## Devices

device-title = Connect a device
device-intro = Enter the code your device shows.
device-label = Code
device-submit = Continue
device-error-wrong = That code is not right, or it has expired. Check the code on your device and try again.
device-confirm-title = Sign in to { $client } on your device?
device-confirm-intro = You are signed in as { $who }. Allow only if you started this on a device of your own and it shows the code you typed. { $client } will be able to:
device-allow = Allow
device-deny = Deny
device-done-approved = Your device is connected
    .message = You can go back to your device; it continues on its own.
device-done-denied = Request denied
    .message = Your device was not given access. You can close this window.

## Signing out

logout-title = Sign out of { $product }?
logout-asked-by = { $client } asks you to sign out.
logout-intro = Signing out ends your { $product } session in this browser. Apps you signed in to may keep you signed in until you sign out of them too.
logout-submit = Sign out
logout-unverified = The app's sign-out request could not be verified (its ID token was not issued by us or was altered), so we will not send you back to it.
logout-done-title = You are signed out
logout-done-client = Your { $product } session in this browser has ended. You can return to { $client } or close this window.
logout-done-plain = Your { $product } session in this browser has ended. You can close this window.

## Returning to the app (form post)

form-post-title = Returning to the app
form-post-intro = If nothing happens, press Continue.
form-post-submit = Continue

## Demo (development mode)

demo-home-title = Try it: sign in to the demo app
demo-home-intro = This page is a small relying party built into development mode. It starts a real authorization request (code flow with PKCE) against this server, then shows the ID token it receives and the userinfo answer. Codes are sent through the configured SMTP server, or printed in the terminal that runs Sesame when there is none.
demo-mode = development mode
demo-start = Sign in to the demo app
demo-discovery = Discovery:
demo-result-title = You are signed in
demo-app = Demo app
demo-result-intro = The ID token's signature, issuer, audience, expiry and nonce were checked with the server's published keys.
demo-claims = ID token claims
demo-userinfo = Userinfo
demo-times = Times in the token

## Error pages

error-not-found = Page not found
    .message = There is no page at this address. Check the address, or go back to where you came from.
error-internal = Something went wrong
    .message = We could not complete this step. Please go back to the app and try again.
error-unavailable = Temporarily unavailable
    .message = Sign-in is temporarily unavailable. Please try again in a moment.
error-session-expired = This sign-in has expired
    .message = Please go back to the app you were signing in to and start again.
error-link-altered = This sign-in link is not valid
    .message = The address of this page was changed or is incomplete. Please go back to the app you were signing in to and start again.
error-link-other-browser = Open this link where you started
    .message = This sign-in link works only once, and only in the browser where the address was typed. If you have not signed in yet, go back to that window and type the 6-digit code from the same message there.
error-form-expired = This form has expired
    .message = For your safety we could not accept this form. Please go back to the app and sign in again.
error-form-unreadable = This form could not be read
    .message = Something in what was sent was not what this page expects. Please go back to the app and sign in again.
error-not-signed-in = You are not signed in
    .message = Sign in to an app that uses this service first, then come back to this page.
error-too-many-requests = Too many sign-in requests
    .message = Too many sign-in requests came from your network just now. Please wait a moment, then go back to the app and try again.
error-device-wait = Please wait a moment
    .message = Too many wrong device codes were entered from your network. Please try again in about { $wait }.
error-device-expired = This code has expired
    .message = The device code is no longer valid. Start again on your device to get a new one.
error-invalid-link = This sign-in link is not valid
error-invalid-logout = This sign-out request is not valid
error-unknown-app = Unknown app
    .message = The app that sent you here is not registered with this sign-in service.

## The code message (email and SMS)

email-subject = { $code } is your { $product } code
email-heading = Your { $product } code
email-text-first = Your { $product } code is:
email-enter = Enter this code to sign in to { $client }:
email-enter-text = Enter it to sign in to { $client }.
email-expires = { $minutes ->
    [one] It expires in 1 minute.
   *[other] It expires in { $minutes } minutes.
}
email-ignore = If you did not ask for this code, you can ignore this message. Never share it: we will never ask you for it.
email-requested-at = { $product }, requested at { $host }
email-link-text = Or open this link in the browser where you started signing in:
email-link-button = Sign in to { $client }
link-page-title = Sign in to { $client }?
link-intro = This link was sent to { $masked }. Press the button to finish signing in to { $client } in this browser.
link-submit = Sign in
ids-title = Sign-in addresses
ids-intro = Each of these signs in to this same account. Add the other one to sign in with either.
ids-email = Email address
ids-phone = Phone number
ids-none = Not set
ids-remove = Remove
ids-add-label = Add an email address or phone number
ids-add-submit = Send a code
ids-code-intro = We sent a 6-digit code to { $masked }. Type it here to add it to your account.
ids-code-submit = Add
ids-cancel = Cancel
ids-added = Added: it now signs in to this account.
ids-removed = Removed: it no longer signs in to this account.
ids-error-already = This is already on your account.
ids-error-held = This cannot be added: it already signs in to another account. Remove it there first.
ids-error-last = You cannot remove your only way to sign in.
ids-mail-client = your { $product } account
sms-text = { $code } is your { $product } code

## The authorization request, refused as a page

authorize-unregistered-redirect = The app asked to return to an address it has not registered, so we stopped here.
authorize-unregistered-redirect-dev = The app asked to return to an address it has not registered, so we stopped here. (Development mode: it asked for { $received }; it has registered { $registered }.)
authorize-bad-request = The app sent a request we cannot accept ({ $detail }). Please go back and try again.
authorize-no-client-id = The request does not name an app (client_id is missing).
authorize-no-redirect-uri = The request does not say where to return (redirect_uri is missing).
authorize-redirect-too-long = The address the app asked to return to is longer than { $bytes } bytes, so we stopped here.
who-phone = the phone number ending { $digits }
who-account = your account
profile-error-length = { $field }: at most { $max } characters, on one line.
profile-error-url = { $field }: enter a full https:// address.
profile-error-birthdate = Birth date: use YYYY-MM-DD (or just YYYY).
profile-error-zoneinfo = Time zone: a name like Europe/Paris.
profile-error-locale = Language: a tag like en-GB.
demo-error = The demo app could not finish
    .message = The demo relying party reported: { $detail }
logout-error-other-client = The ID token the app sent was issued to a different app (client_id does not match).
logout-error-unknown-client = The app that sent you here is no longer registered.
logout-error-bad-return = The address to return to is not valid.
logout-error-unregistered-return = The app asked to send you to an address it has not registered for sign-out, so we stopped here. You are still signed in.
