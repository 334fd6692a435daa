# Sesame: português do Brasil.

## Shared

language-name = Português (Brasil)
footer-line = { $product } · login sem senha
footer-request-id = ID da solicitação: { $id }
nav-profile = Seu perfil
nav-apps = Apps conectados
nav-identifiers = Endereços de login
nav-sign-out = Sair
nav-home = Voltar ao início
nav-back-to-app = Voltar para { $client }
privacy-policy = Política de privacidade
terms-of-service = Termos de uso
datetime = { $day }/{ $month }/{ $year } { $hour }:{ $minute } UTC

wait-minutes = { $n ->
    [one] um minuto
   *[other] { $n } minutos
}
wait-hours = { $n ->
    [one] uma hora
   *[other] { $n } horas
}

## Sign-in: the address page

identifier-title = Entrar em { $client }
identifier-intro-email = Vamos enviar um código de 6 dígitos para o seu e-mail. Não precisa de senha.
identifier-intro-either = Vamos enviar um código de 6 dígitos para o seu e-mail ou celular. Não precisa de senha.
identifier-label-email = E-mail
identifier-label-either = E-mail ou número de celular
identifier-submit = Enviar código

identifier-error-empty = Digite seu e-mail.
identifier-error-invalid = Isso não parece um e-mail. Confira e tente de novo.
identifier-error-too-long = Esse endereço é longo demais.
identifier-error-invisible = Isso não parece um e-mail: ele contém um caractere invisível ou de formatação (muitas vezes vem junto ao copiar). Digite-o de novo à mão.
identifier-error-empty-either = Digite seu e-mail ou número de celular.
identifier-error-not-email-or-phone = Digite um e-mail (como nome@example.com) ou um número de telefone.
identifier-error-invalid-phone = Não conseguimos usar esse número de telefone. Confira ou digite com o código do país (por exemplo { $example }).
identifier-error-not-mobile = Esse número não recebe SMS. Use um número de celular ou seu e-mail.
identifier-error-phone-unavailable = Aqui não é possível entrar com número de telefone. Use seu e-mail.

## Sign-in: the code page

code-page-title = Digite seu código
code-intro = Enviamos um código de 6 dígitos para { $masked } para você entrar em { $client }. Ele pode levar um minuto para chegar.
code-label = Código de 6 dígitos
code-submit = Entrar
code-resend = Enviar um novo código
code-restart = Usar outro endereço
code-error-format = Digite o código de 6 dígitos da mensagem.
code-error-wrong = { $remaining ->
    [0] Esse código não está certo. Peça um novo código.
    [one] Esse código não está certo. Você tem mais 1 tentativa.
   *[other] Esse código não está certo. Você tem mais { $remaining } tentativas.
}
code-error-too-many = Tentativas erradas demais: este código não vale mais. Peça um novo código.
code-error-expired = Este código expirou ou já foi usado. Peça um novo código.
code-notice-sent = Enviamos um novo código. Só o mais recente funciona.
code-notice-wait = { $seconds ->
    [one] Seu código está a caminho. Você poderá pedir outro em 1 segundo.
   *[other] Seu código está a caminho. Você poderá pedir outro em { $seconds } segundos.
}
code-delivery-failed = Não conseguimos enviar o código. Tente de novo daqui a pouco.
code-delivery-failed-sms = Não conseguimos enviar um SMS para este número agora. Tente de novo daqui a pouco ou entre com seu e-mail.
code-delivery-delayed = O envio do código está demorando mais que o normal. Continuamos tentando: ele deve chegar em breve.

## Limits

pause-identifier-failures = Para sua segurança, os códigos para este endereço estão pausados depois de muitos códigos errados. Tente de novo em cerca de { $wait }.
pause-identifier-sends = Vários códigos foram pedidos para este endereço recentemente. Use o mais recente que você recebeu ou tente de novo em cerca de { $wait }.
pause-ip-sends = Muitos códigos foram pedidos da sua rede recentemente. Tente de novo em cerca de { $wait }.
pause-ip-failures = Muitos códigos errados foram digitados a partir da sua rede. Tente de novo em cerca de { $wait }.
sms-denied-country = SMS não está disponível para este país. Entre com seu e-mail.
sms-denied-budget = O login por SMS está pausado por hoje. Entre com seu e-mail ou tente de novo amanhã.
sms-denied-network = Muitos códigos foram pedidos da sua rede recentemente, então não vamos enviar outro SMS por enquanto. Tente de novo em cerca de { $wait } ou entre com seu e-mail.
sms-denied-number = Já enviamos vários códigos para este número. Para protegê-lo, não vamos enviar outro por enquanto. Tente de novo em cerca de { $wait } ou entre com seu e-mail.

## Consent

consent-title = Permitir que { $client } use sua conta?
consent-intro = Você entrou como { $who }. { $client } não é operado por { $product }. O app pede para:
consent-withdraw-later = Você pode retirar essa permissão depois na página de apps conectados; { $client } perde o acesso.
consent-allow = Permitir
consent-cancel = Cancelar e voltar
scope-openid = Saber quem você é no { $product } (o identificador da sua conta)
scope-email = Ver seu e-mail
scope-phone = Ver seu número de telefone
scope-profile = Ver seu nome e os dados de perfil que você adicionou
scope-address = Ver seu endereço postal
scope-groups = Ver de quais grupos você faz parte
scope-offline-access = Continuar conectado quando você não estiver usando, até você revogar o acesso
scope-other = Usar a permissão “{ $scope }”

## Account pages

signed-in-as = Conectado como { $who }
profile-title = Seu perfil
profile-intro = Tudo aqui é opcional. Os apps só veem estes dados quando você permite que vejam seu perfil ou endereço.
profile-saved = Seu perfil foi salvo.
profile-group-name = Nome
profile-group-web = Na web
profile-group-about = Sobre você
profile-group-address = Endereço
profile-name = Nome completo
profile-given-name = Nome
profile-middle-name = Nome do meio
profile-family-name = Sobrenome
profile-nickname = Apelido
profile-username = Nome de usuário
profile-profile = Página de perfil (https://…)
profile-picture = Foto (https://…)
profile-website = Site (https://…)
profile-gender = Gênero
profile-birthdate = Data de nascimento (AAAA-MM-DD)
profile-zoneinfo = Fuso horário (por exemplo America/Sao_Paulo)
profile-locale = Idioma (por exemplo pt-BR)
profile-address = Endereço postal
profile-country = País
profile-save = Salvar
apps-title = Apps conectados
apps-withdrawn = { $client } não tem mais acesso à sua conta.
apps-none = Você não permitiu que nenhum app usasse sua conta.
apps-intro = Estes apps não são operados por { $product }. Você permitiu que cada um deles usasse sua conta; retirar a permissão desconecta o app da sua conta na hora.
apps-may = Ele pode:
apps-withdraw = Retirar a permissão de { $client }

## Devices

device-title = Conectar um dispositivo
device-intro = Digite o código que aparece no seu dispositivo.
device-label = Código
device-submit = Continuar
device-error-wrong = Esse código não está certo ou expirou. Confira o código no seu dispositivo e tente de novo.
device-confirm-title = Entrar em { $client } no seu dispositivo?
device-confirm-intro = Você entrou como { $who }. Só permita se você começou isto em um dispositivo seu e ele mostra o código que você digitou. { $client } poderá:
device-allow = Permitir
device-deny = Negar
device-done-approved = Seu dispositivo está conectado
    .message = Você pode voltar ao seu dispositivo; ele continua sozinho.
device-done-denied = Pedido negado
    .message = Seu dispositivo não recebeu acesso. Você pode fechar esta janela.

## Signing out

logout-title = Sair do { $product }?
logout-asked-by = { $client } pede que você saia.
logout-intro = Sair encerra sua sessão do { $product } neste navegador. Os apps em que você entrou podem manter você conectado até você sair deles também.
logout-submit = Sair
logout-unverified = Não foi possível verificar o pedido de saída do app (o token de identidade não foi emitido por nós ou foi alterado), por isso não vamos mandar você de volta para ele.
logout-done-title = Você saiu
logout-done-client = Sua sessão do { $product } neste navegador foi encerrada. Você pode voltar para { $client } ou fechar esta janela.
logout-done-plain = Sua sessão do { $product } neste navegador foi encerrada. Você pode fechar esta janela.

## Returning to the app (form post)

form-post-title = Voltando para o app
form-post-intro = Se nada acontecer, toque em Continuar.
form-post-submit = Continuar

## Demo (development mode)

demo-home-title = Experimente: entre no app de demonstração
demo-home-intro = Esta página é um pequeno cliente OpenID embutido no modo de desenvolvimento. Ela inicia um pedido de autorização real (fluxo de código com PKCE) neste servidor e depois mostra o token de identidade recebido e a resposta do userinfo. Os códigos são enviados pelo servidor SMTP configurado ou, se não houver um, exibidos no terminal em que o Sesame está rodando.
demo-mode = modo de desenvolvimento
demo-start = Entrar no app de demonstração
demo-discovery = Descoberta:
demo-result-title = Você entrou
demo-app = App de demonstração
demo-result-intro = A assinatura, o emissor, o público, a validade e o nonce do token de identidade foram conferidos com as chaves publicadas pelo servidor.
demo-claims = Claims do token de identidade
demo-userinfo = Userinfo
demo-times = Datas do token

## Error pages

error-not-found = Página não encontrada
    .message = Não há página neste endereço. Confira o endereço ou volte para onde você estava.
error-internal = Algo deu errado
    .message = Não conseguimos concluir esta etapa. Volte para o app e tente de novo.
error-unavailable = Indisponível no momento
    .message = O login está indisponível no momento. Tente de novo daqui a pouco.
error-session-expired = Este login expirou
    .message = Volte para o app em que você estava entrando e comece de novo.
error-link-altered = Este link de login não é válido
    .message = O endereço desta página foi alterado ou está incompleto. Volte para o app em que você estava entrando e comece de novo.
error-link-other-browser = Abra este link onde você começou
    .message = Este link de login só funciona uma vez, e só no navegador em que o endereço foi digitado. Se você ainda não entrou, volte para aquela janela e digite lá o código de 6 dígitos da mesma mensagem.
error-form-expired = Este formulário expirou
    .message = Para sua segurança, não pudemos aceitar este formulário. Volte para o app e entre de novo.
error-form-unreadable = Não foi possível ler este formulário
    .message = Algo no que foi enviado não é o que esta página espera. Volte para o app e entre de novo.
error-not-signed-in = Você não entrou
    .message = Entre primeiro em um app que usa este serviço e depois volte a esta página.
error-too-many-requests = Pedidos de login demais
    .message = Chegaram pedidos de login demais da sua rede agora há pouco. Espere um momento, volte para o app e tente de novo.
error-device-wait = Espere um momento
    .message = Muitos códigos de dispositivo errados foram digitados a partir da sua rede. Tente de novo em cerca de { $wait }.
error-device-expired = Este código expirou
    .message = O código do dispositivo não é mais válido. Comece de novo no seu dispositivo para receber outro.
error-invalid-link = Este link de login não é válido
error-invalid-logout = Este pedido de saída não é válido
error-unknown-app = App desconhecido
    .message = O app que mandou você para cá não está registrado neste serviço de login.

## The code message (email and SMS)

email-subject = { $code } é o seu código do { $product }
email-heading = Seu código do { $product }
email-text-first = Seu código do { $product } é:
email-enter = Digite este código para entrar em { $client }:
email-enter-text = Digite-o para entrar em { $client }.
email-expires = { $minutes ->
    [one] Ele expira em 1 minuto.
   *[other] Ele expira em { $minutes } minutos.
}
email-ignore = Se você não pediu este código, pode ignorar esta mensagem. Nunca o compartilhe: nós nunca vamos pedi-lo a você.
email-requested-at = { $product }, pedido em { $host }
email-link-text = Ou abra este link no navegador em que você começou o login:
email-link-button = Entrar em { $client }
link-page-title = Entrar em { $client }?
link-intro = Este link foi enviado para { $masked }. Toque no botão para concluir o login em { $client } neste navegador.
link-submit = Entrar
ids-title = Endereços de login
ids-intro = Cada um deles entra nesta mesma conta. Adicione o outro para entrar com qualquer um.
ids-email = E-mail
ids-phone = Número de telefone
ids-none = Não definido
ids-remove = Remover
ids-add-label = Adicionar um e-mail ou número de telefone
ids-add-submit = Enviar um código
ids-code-intro = Enviamos um código de 6 dígitos para { $masked }. Digite-o aqui para adicioná-lo à sua conta.
ids-code-submit = Adicionar
ids-cancel = Cancelar
ids-added = Adicionado: agora ele entra nesta conta.
ids-removed = Removido: ele não entra mais nesta conta.
ids-error-already = Isto já está na sua conta.
ids-error-held = Não é possível adicionar: ele já entra em outra conta. Remova-o de lá primeiro.
ids-error-last = Você não pode remover sua única forma de entrar.
ids-mail-client = sua conta { $product }
sms-text = { $code } é o seu código do { $product }

## The authorization request, refused as a page

authorize-unregistered-redirect = O app pediu para voltar a um endereço que ele não registrou, por isso paramos aqui.
authorize-unregistered-redirect-dev = O app pediu para voltar a um endereço que ele não registrou, por isso paramos aqui. (Modo de desenvolvimento: ele pediu { $received }; registrou { $registered }.)
authorize-bad-request = O app enviou um pedido que não podemos aceitar ({ $detail }). Volte e tente de novo.
authorize-no-client-id = O pedido não indica nenhum app (falta client_id).
authorize-no-redirect-uri = O pedido não diz para onde voltar (falta redirect_uri).
authorize-redirect-too-long = O endereço de volta pedido pelo app passa de { $bytes } bytes, por isso paramos aqui.
who-phone = o número de telefone terminado em { $digits }
who-account = sua conta
profile-error-length = { $field }: no máximo { $max } caracteres, em uma linha.
profile-error-url = { $field }: digite um endereço https:// completo.
profile-error-birthdate = Data de nascimento: use AAAA-MM-DD (ou só AAAA).
profile-error-zoneinfo = Fuso horário: um nome como America/Sao_Paulo.
profile-error-locale = Idioma: uma tag como pt-BR.
demo-error = O app de demonstração não conseguiu terminar
    .message = O cliente de demonstração informou: { $detail }
logout-error-other-client = O token de identidade enviado pelo app foi emitido para outro app (client_id não confere).
logout-error-unknown-client = O app que mandou você para cá não está mais registrado.
logout-error-bad-return = O endereço de volta não é válido.
logout-error-unregistered-return = O app pediu para mandar você a um endereço que ele não registrou para a saída, por isso paramos aqui. Você continua conectado.
