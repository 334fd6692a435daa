# Sesame: español.

## Shared

language-name = Español
footer-line = { $product } · inicio de sesión sin contraseña
footer-request-id = Identificador de la solicitud: { $id }
nav-profile = Tu perfil
nav-apps = Aplicaciones conectadas
nav-identifiers = Direcciones de inicio de sesión
nav-sign-out = Cerrar sesión
nav-home = Volver al inicio
nav-back-to-app = Volver a { $client }
privacy-policy = Política de privacidad
terms-of-service = Condiciones del servicio
datetime = { $day }/{ $month }/{ $year } { $hour }:{ $minute } UTC

wait-minutes = { $n ->
    [one] un minuto
   *[other] { $n } minutos
}
wait-hours = { $n ->
    [one] una hora
   *[other] { $n } horas
}

## Sign-in: the address page

identifier-title = Iniciar sesión en { $client }
identifier-intro-email = Te enviaremos un código de 6 dígitos a tu correo electrónico. No necesitas contraseña.
identifier-intro-either = Te enviaremos un código de 6 dígitos a tu correo electrónico o a tu teléfono. No necesitas contraseña.
identifier-label-email = Correo electrónico
identifier-label-either = Correo electrónico o número de teléfono
identifier-submit = Enviarme un código

identifier-error-empty = Escribe tu correo electrónico.
identifier-error-invalid = Eso no parece un correo electrónico. Revísalo e inténtalo de nuevo.
identifier-error-too-long = Esa dirección es demasiado larga.
identifier-error-invisible = Eso no parece un correo electrónico: contiene un carácter invisible o de formato (a menudo se cuela al copiar). Escríbelo de nuevo a mano.
identifier-error-empty-either = Escribe tu correo electrónico o tu número de teléfono.
identifier-error-not-email-or-phone = Escribe un correo electrónico (como nombre@example.com) o un número de teléfono.
identifier-error-invalid-phone = No podemos usar ese número de teléfono. Revísalo o escríbelo con el prefijo del país (por ejemplo { $example }).
identifier-error-not-mobile = Ese número no puede recibir SMS. Usa un número de móvil o tu correo electrónico.
identifier-error-phone-unavailable = Aquí no se puede iniciar sesión con un número de teléfono. Usa tu correo electrónico.

## Sign-in: the code page

code-page-title = Escribe tu código
code-intro = Hemos enviado un código de 6 dígitos a { $masked } para iniciar sesión en { $client }. Puede tardar un minuto en llegar.
code-label = Código de 6 dígitos
code-submit = Iniciar sesión
code-resend = Enviar un código nuevo
code-restart = Usar otra dirección
code-error-format = Escribe el código de 6 dígitos del mensaje.
code-error-wrong = { $remaining ->
    [0] Ese código no es correcto. Pide un código nuevo.
    [one] Ese código no es correcto. Te queda 1 intento.
   *[other] Ese código no es correcto. Te quedan { $remaining } intentos.
}
code-error-too-many = Demasiados intentos fallidos: este código ya no sirve. Pide un código nuevo.
code-error-expired = Este código ha caducado o ya se ha usado. Pide un código nuevo.
code-notice-sent = Hemos enviado un código nuevo. Solo sirve el más reciente.
code-notice-wait = { $seconds ->
    [one] Tu código va de camino. Podrás pedir otro dentro de 1 segundo.
   *[other] Tu código va de camino. Podrás pedir otro dentro de { $seconds } segundos.
}
code-delivery-failed = No hemos podido enviar el código. Inténtalo de nuevo en un momento.
code-delivery-failed-sms = Ahora mismo no hemos podido enviar un SMS a este número. Inténtalo de nuevo en un momento o inicia sesión con tu correo electrónico.
code-delivery-delayed = El envío del código está tardando más de lo normal. Seguimos intentándolo: debería llegar pronto.

## Limits

pause-identifier-failures = Por tu seguridad, los códigos para esta dirección están en pausa tras demasiados códigos incorrectos. Inténtalo de nuevo dentro de { $wait } aproximadamente.
pause-identifier-sends = Se han pedido varios códigos para esta dirección hace poco. Usa el más reciente que hayas recibido o inténtalo de nuevo dentro de { $wait } aproximadamente.
pause-ip-sends = Se han pedido muchos códigos desde tu red hace poco. Inténtalo de nuevo dentro de { $wait } aproximadamente.
pause-ip-failures = Se han escrito demasiados códigos incorrectos desde tu red. Inténtalo de nuevo dentro de { $wait } aproximadamente.
sms-denied-country = Los SMS no están disponibles para este país. Inicia sesión con tu correo electrónico.
sms-denied-budget = El inicio de sesión por SMS está en pausa por hoy. Inicia sesión con tu correo electrónico o inténtalo mañana.
sms-denied-network = Se han pedido muchos códigos desde tu red hace poco, así que por ahora no enviaremos más SMS. Inténtalo de nuevo dentro de { $wait } aproximadamente o inicia sesión con tu correo electrónico.
sms-denied-number = Ya hemos enviado varios códigos a este número. Para protegerlo, por ahora no enviaremos más. Inténtalo de nuevo dentro de { $wait } aproximadamente o inicia sesión con tu correo electrónico.

## Consent

consent-title = ¿Permitir que { $client } use tu cuenta?
consent-intro = Has iniciado sesión como { $who }. { $client } no lo gestiona { $product }. Pide permiso para:
consent-withdraw-later = Puedes retirar este permiso más adelante en la página de aplicaciones conectadas; { $client } perderá entonces el acceso.
consent-allow = Permitir
consent-cancel = Cancelar y volver
scope-openid = Saber quién eres en { $product } (el identificador de tu cuenta)
scope-email = Ver tu correo electrónico
scope-phone = Ver tu número de teléfono
scope-profile = Ver tu nombre y los datos de perfil que has añadido
scope-address = Ver tu dirección postal
scope-groups = Ver a qué grupos perteneces
scope-offline-access = Seguir conectada cuando no la uses, hasta que le retires el acceso
scope-other = Usar el permiso «{ $scope }»

## Account pages

signed-in-as = Sesión iniciada como { $who }
profile-title = Tu perfil
profile-intro = Todo es opcional. Las aplicaciones solo lo ven si les permites ver tu perfil o tu dirección.
profile-saved = Tu perfil se ha guardado.
profile-group-name = Nombre
profile-group-web = En la web
profile-group-about = Sobre ti
profile-group-address = Dirección
profile-name = Nombre completo
profile-given-name = Nombre de pila
profile-middle-name = Segundo nombre
profile-family-name = Apellidos
profile-nickname = Apodo
profile-username = Nombre de usuario
profile-profile = Página de perfil (https://…)
profile-picture = Foto (https://…)
profile-website = Sitio web (https://…)
profile-gender = Género
profile-birthdate = Fecha de nacimiento (AAAA-MM-DD)
profile-zoneinfo = Zona horaria (por ejemplo Europe/Madrid)
profile-locale = Idioma (por ejemplo es-ES)
profile-address = Dirección postal
profile-country = País
profile-save = Guardar
apps-title = Aplicaciones conectadas
apps-withdrawn = { $client } ya no tiene acceso a tu cuenta.
apps-none = No has permitido que ninguna aplicación use tu cuenta.
apps-intro = Estas aplicaciones no las gestiona { $product }. Permitiste que cada una usara tu cuenta; al retirar el permiso, la aplicación pierde al instante la sesión en tu cuenta.
apps-may = Puede:
apps-withdraw = Retirar el permiso de { $client }

## Devices

device-title = Conectar un dispositivo
device-intro = Escribe el código que muestra tu dispositivo.
device-label = Código
device-submit = Continuar
device-error-wrong = Ese código no es correcto o ha caducado. Comprueba el código en tu dispositivo e inténtalo de nuevo.
device-confirm-title = ¿Iniciar sesión en { $client } en tu dispositivo?
device-confirm-intro = Has iniciado sesión como { $who }. Permítelo solo si empezaste esto en un dispositivo tuyo y muestra el código que escribiste. { $client } podrá:
device-allow = Permitir
device-deny = Denegar
device-done-approved = Tu dispositivo está conectado
    .message = Puedes volver a tu dispositivo; seguirá solo.
device-done-denied = Solicitud denegada
    .message = Tu dispositivo no ha recibido acceso. Puedes cerrar esta ventana.

## Signing out

logout-title = ¿Cerrar sesión en { $product }?
logout-asked-by = { $client } te pide que cierres sesión.
logout-intro = Al cerrar sesión termina tu sesión de { $product } en este navegador. Las aplicaciones en las que iniciaste sesión pueden mantenerte conectado hasta que cierres sesión también en ellas.
logout-submit = Cerrar sesión
logout-unverified = No hemos podido verificar la solicitud de cierre de sesión de la aplicación (su token de identidad no lo emitimos nosotros o fue alterado), así que no te devolveremos a ella.
logout-done-title = Has cerrado sesión
logout-done-client = Tu sesión de { $product } en este navegador ha terminado. Puedes volver a { $client } o cerrar esta ventana.
logout-done-plain = Tu sesión de { $product } en este navegador ha terminado. Puedes cerrar esta ventana.

## Returning to the app (form post)

form-post-title = Volviendo a la aplicación
form-post-intro = Si no ocurre nada, pulsa Continuar.
form-post-submit = Continuar

## Demo (development mode)

demo-home-title = Pruébalo: inicia sesión en la aplicación de demostración
demo-home-intro = Esta página es un pequeño cliente OpenID integrado en el modo de desarrollo. Inicia una solicitud de autorización real (flujo de código con PKCE) contra este servidor y después muestra el token de identidad recibido y la respuesta de userinfo. Los códigos se envían por el servidor SMTP configurado o, si no hay ninguno, se muestran en la terminal donde se ejecuta Sesame.
demo-mode = modo de desarrollo
demo-start = Iniciar sesión en la aplicación de demostración
demo-discovery = Descubrimiento:
demo-result-title = Has iniciado sesión
demo-app = Aplicación de demostración
demo-result-intro = La firma, el emisor, la audiencia, la caducidad y el nonce del token de identidad se han comprobado con las claves publicadas por el servidor.
demo-claims = Claims del token de identidad
demo-userinfo = Userinfo
demo-times = Fechas del token

## Error pages

error-not-found = Página no encontrada
    .message = No hay ninguna página en esta dirección. Revisa la dirección o vuelve a donde estabas.
error-internal = Algo ha salido mal
    .message = No hemos podido completar este paso. Vuelve a la aplicación e inténtalo de nuevo.
error-unavailable = No disponible temporalmente
    .message = El inicio de sesión no está disponible temporalmente. Inténtalo de nuevo en un momento.
error-session-expired = Este inicio de sesión ha caducado
    .message = Vuelve a la aplicación en la que estabas iniciando sesión y empieza de nuevo.
error-link-altered = Este enlace de inicio de sesión no es válido
    .message = La dirección de esta página se ha modificado o está incompleta. Vuelve a la aplicación en la que estabas iniciando sesión y empieza de nuevo.
error-link-other-browser = Abre este enlace donde empezaste
    .message = Este enlace de inicio de sesión solo funciona una vez, y solo en el navegador en el que se escribió la dirección. Si aún no has iniciado sesión, vuelve a esa ventana y escribe allí el código de 6 dígitos del mismo mensaje.
error-form-expired = Este formulario ha caducado
    .message = Por tu seguridad no hemos podido aceptar este formulario. Vuelve a la aplicación e inicia sesión de nuevo.
error-form-unreadable = No se ha podido leer este formulario
    .message = Algo de lo enviado no es lo que esta página espera. Vuelve a la aplicación e inicia sesión de nuevo.
error-not-signed-in = No has iniciado sesión
    .message = Inicia sesión primero en una aplicación que use este servicio y luego vuelve a esta página.
error-too-many-requests = Demasiadas solicitudes de inicio de sesión
    .message = Acaban de llegar demasiadas solicitudes de inicio de sesión desde tu red. Espera un momento, vuelve a la aplicación e inténtalo de nuevo.
error-device-wait = Espera un momento
    .message = Se han escrito demasiados códigos de dispositivo incorrectos desde tu red. Inténtalo de nuevo dentro de { $wait } aproximadamente.
error-device-expired = Este código ha caducado
    .message = El código del dispositivo ya no es válido. Empieza de nuevo en tu dispositivo para obtener uno nuevo.
error-invalid-link = Este enlace de inicio de sesión no es válido
error-invalid-logout = Esta solicitud de cierre de sesión no es válida
error-unknown-app = Aplicación desconocida
    .message = La aplicación que te ha enviado aquí no está registrada en este servicio de inicio de sesión.

## The code message (email and SMS)

email-subject = { $code } es tu código de { $product }
email-heading = Tu código de { $product }
email-text-first = Tu código de { $product } es:
email-enter = Escribe este código para iniciar sesión en { $client }:
email-enter-text = Escríbelo para iniciar sesión en { $client }.
email-expires = { $minutes ->
    [one] Caduca en 1 minuto.
   *[other] Caduca en { $minutes } minutos.
}
email-ignore = Si no has pedido este código, puedes ignorar este mensaje. No lo compartas nunca: nunca te lo pediremos.
email-requested-at = { $product }, solicitado en { $host }
email-link-text = O abre este enlace en el navegador en el que empezaste a iniciar sesión:
email-link-button = Iniciar sesión en { $client }
link-page-title = ¿Iniciar sesión en { $client }?
link-intro = Este enlace se envió a { $masked }. Pulsa el botón para terminar de iniciar sesión en { $client } en este navegador.
link-submit = Iniciar sesión
ids-title = Direcciones de inicio de sesión
ids-intro = Cada una inicia sesión en esta misma cuenta. Añade la otra para iniciar sesión con cualquiera.
ids-email = Correo electrónico
ids-phone = Número de teléfono
ids-none = Sin definir
ids-remove = Quitar
ids-add-label = Añadir un correo electrónico o un número de teléfono
ids-add-submit = Enviar un código
ids-code-intro = Hemos enviado un código de 6 dígitos a { $masked }. Escríbelo aquí para añadirlo a tu cuenta.
ids-code-submit = Añadir
ids-cancel = Cancelar
ids-added = Añadido: ahora inicia sesión en esta cuenta.
ids-removed = Quitado: ya no inicia sesión en esta cuenta.
ids-error-already = Esto ya está en tu cuenta.
ids-error-held = No se puede añadir: ya inicia sesión en otra cuenta. Quítalo allí primero.
ids-error-last = No puedes quitar tu única forma de iniciar sesión.
ids-mail-client = tu cuenta de { $product }
sms-text = { $code } es tu código de { $product }

## The authorization request, refused as a page

authorize-unregistered-redirect = La aplicación pidió volver a una dirección que no ha registrado, así que nos hemos detenido aquí.
authorize-unregistered-redirect-dev = La aplicación pidió volver a una dirección que no ha registrado, así que nos hemos detenido aquí. (Modo de desarrollo: pidió { $received }; tiene registradas { $registered }.)
authorize-bad-request = La aplicación envió una solicitud que no podemos aceptar ({ $detail }). Vuelve atrás e inténtalo de nuevo.
authorize-no-client-id = La solicitud no indica ninguna aplicación (falta client_id).
authorize-no-redirect-uri = La solicitud no indica adónde volver (falta redirect_uri).
authorize-redirect-too-long = La dirección de vuelta que pidió la aplicación supera los { $bytes } bytes, así que nos hemos detenido aquí.
who-phone = el número de teléfono terminado en { $digits }
who-account = tu cuenta
profile-error-length = { $field }: como máximo { $max } caracteres, en una sola línea.
profile-error-url = { $field }: escribe una dirección https:// completa.
profile-error-birthdate = Fecha de nacimiento: usa AAAA-MM-DD (o solo AAAA).
profile-error-zoneinfo = Zona horaria: un nombre como Europe/Madrid.
profile-error-locale = Idioma: una etiqueta como es-ES.
demo-error = La aplicación de demostración no pudo terminar
    .message = El cliente de demostración informó: { $detail }
logout-error-other-client = El token de identidad que envió la aplicación se emitió para otra aplicación (client_id no coincide).
logout-error-unknown-client = La aplicación que te ha enviado aquí ya no está registrada.
logout-error-bad-return = La dirección de vuelta no es válida.
logout-error-unregistered-return = La aplicación pidió enviarte a una dirección que no ha registrado para el cierre de sesión, así que nos hemos detenido aquí. Sigues con la sesión iniciada.
