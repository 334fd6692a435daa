# Sesame: 日本語。

## Shared

language-name = 日本語
footer-line = { $product } · パスワード不要のサインイン
footer-request-id = リクエスト ID: { $id }
nav-profile = プロフィール
nav-apps = 連携中のアプリ
nav-identifiers = サインイン用のアドレス
nav-sign-out = サインアウト
nav-home = トップに戻る
nav-back-to-app = { $client } に戻る
privacy-policy = プライバシーポリシー
terms-of-service = 利用規約
datetime = { $year }年{ $month }月{ $day }日 { $hour }:{ $minute } UTC

wait-minutes = { $n ->
   *[other] { $n } 分
}
wait-hours = { $n ->
   *[other] { $n } 時間
}

## Sign-in: the address page

identifier-title = { $client } にサインイン
identifier-intro-email = メールアドレスに 6 桁のコードをお送りします。パスワードは不要です。
identifier-intro-either = メールアドレスまたは電話に 6 桁のコードをお送りします。パスワードは不要です。
identifier-label-email = メールアドレス
identifier-label-either = メールアドレスまたは電話番号
identifier-submit = コードを送信

identifier-error-empty = メールアドレスを入力してください。
identifier-error-invalid = メールアドレスの形式ではないようです。確認してもう一度お試しください。
identifier-error-too-long = アドレスが長すぎます。
identifier-error-invisible = メールアドレスの形式ではないようです。見えない文字や書式文字が含まれています（コピー時に紛れ込むことがあります）。手で入力し直してください。
identifier-error-empty-either = メールアドレスまたは電話番号を入力してください。
identifier-error-not-email-or-phone = メールアドレス（name@example.com など）または電話番号を入力してください。
identifier-error-invalid-phone = この電話番号は使用できません。確認するか、国番号を付けて入力してください（例: { $example }）。
identifier-error-not-mobile = この番号では SMS を受信できません。携帯電話番号かメールアドレスをお使いください。
identifier-error-phone-unavailable = ここでは電話番号でサインインできません。メールアドレスをお使いください。

## Sign-in: the code page

code-page-title = コードを入力
code-intro = { $client } へのサインイン用に、6 桁のコードを { $masked } に送信しました。届くまで 1 分ほどかかることがあります。
code-label = 6 桁のコード
code-submit = サインイン
code-resend = 新しいコードを送信
code-restart = 別のアドレスを使う
code-error-format = メッセージに記載された 6 桁のコードを入力してください。
code-error-wrong = { $remaining ->
    [0] コードが正しくありません。新しいコードをリクエストしてください。
   *[other] コードが正しくありません。あと { $remaining } 回試せます。
}
code-error-too-many = 間違いが多すぎるため、このコードは使えなくなりました。新しいコードをリクエストしてください。
code-error-expired = このコードは有効期限が切れたか、すでに使用されています。新しいコードをリクエストしてください。
code-notice-sent = 新しいコードを送信しました。有効なのは最新のコードだけです。
code-notice-wait = { $seconds ->
   *[other] コードを送信中です。{ $seconds } 秒後に別のコードをリクエストできます。
}
code-delivery-failed = コードを送信できませんでした。しばらくしてからもう一度お試しください。
code-delivery-failed-sms = 現在この番号に SMS を送信できませんでした。しばらくしてからもう一度お試しいただくか、メールアドレスでサインインしてください。
code-delivery-delayed = コードの送信にいつもより時間がかかっています。送信を続けていますので、まもなく届くはずです。

## Limits

pause-identifier-failures = 安全のため、間違ったコードが多すぎたので、このアドレスへのサインインコードを一時停止しています。約 { $wait } 後にもう一度お試しください。
pause-identifier-sends = このアドレスには最近いくつものコードがリクエストされました。届いた最新のコードを使うか、約 { $wait } 後にもう一度お試しください。
pause-ip-sends = お使いのネットワークから最近多くのコードがリクエストされました。約 { $wait } 後にもう一度お試しください。
pause-ip-failures = お使いのネットワークから間違ったコードが多数入力されました。約 { $wait } 後にもう一度お試しください。
sms-denied-country = この国では SMS をご利用いただけません。メールアドレスでサインインしてください。
sms-denied-budget = 本日の SMS によるサインインは一時停止中です。メールアドレスでサインインするか、明日もう一度お試しください。
sms-denied-network = お使いのネットワークから最近多くのコードがリクエストされたため、しばらく SMS を送信しません。約 { $wait } 後にもう一度お試しいただくか、メールアドレスでサインインしてください。
sms-denied-number = この番号にはすでに複数のコードを送信しています。番号を守るため、しばらくは送信しません。約 { $wait } 後にもう一度お試しいただくか、メールアドレスでサインインしてください。

## Consent

consent-title = { $client } にアカウントの利用を許可しますか？
consent-intro = { $who } としてサインインしています。{ $client } は { $product } が運営するアプリではありません。このアプリは次のことを求めています:
consent-withdraw-later = この許可は、あとから連携中のアプリのページで取り消せます。取り消すと { $client } はアクセスできなくなります。
consent-allow = 許可する
consent-cancel = キャンセルして戻る
scope-openid = { $product } でのあなたを識別する（アカウント ID）
scope-email = メールアドレスを見る
scope-phone = 電話番号を見る
scope-profile = 名前と、追加したプロフィール情報を見る
scope-address = 住所を見る
scope-groups = 所属しているグループを見る
scope-offline-access = 使っていないときも、アクセスを取り消すまで接続を保つ
scope-other = 権限「{ $scope }」を使う

## Account pages

signed-in-as = { $who } としてサインイン中
profile-title = プロフィール
profile-intro = ここの項目はすべて任意です。プロフィールや住所の閲覧を許可したアプリだけが見ることができます。
profile-saved = プロフィールを保存しました。
profile-group-name = 名前
profile-group-web = ウェブ
profile-group-about = あなたについて
profile-group-address = 住所
profile-name = 氏名
profile-given-name = 名
profile-middle-name = ミドルネーム
profile-family-name = 姓
profile-nickname = ニックネーム
profile-username = ユーザー名
profile-profile = プロフィールページ（https://…）
profile-picture = 写真（https://…）
profile-website = ウェブサイト（https://…）
profile-gender = 性別
profile-birthdate = 生年月日（YYYY-MM-DD）
profile-zoneinfo = タイムゾーン（例: Asia/Tokyo）
profile-locale = 言語（例: ja-JP）
profile-address = 住所
profile-country = 国
profile-save = 保存
apps-title = 連携中のアプリ
apps-withdrawn = { $client } はもうあなたのアカウントにアクセスできません。
apps-none = アカウントの利用を許可したアプリはありません。
apps-intro = これらのアプリは { $product } が運営するものではありません。それぞれにアカウントの利用を許可しています。許可を取り消すと、そのアプリはすぐにアカウントからサインアウトされます。
apps-may = 許可している内容:
apps-withdraw = { $client } の許可を取り消す

## Devices

device-title = デバイスを接続
device-intro = デバイスに表示されているコードを入力してください。
device-label = コード
device-submit = 続行
device-error-wrong = コードが正しくないか、有効期限が切れています。デバイスのコードを確認してもう一度お試しください。
device-confirm-title = デバイスで { $client } にサインインしますか？
device-confirm-intro = { $who } としてサインインしています。ご自身のデバイスで始めた操作で、入力したコードがそのデバイスに表示されている場合にのみ許可してください。{ $client } は次のことができるようになります:
device-allow = 許可する
device-deny = 拒否する
device-done-approved = デバイスが接続されました
    .message = デバイスに戻ってください。自動的に続行されます。
device-done-denied = リクエストを拒否しました
    .message = デバイスにはアクセスを許可していません。このウィンドウは閉じてかまいません。

## Signing out

logout-title = { $product } からサインアウトしますか？
logout-asked-by = { $client } がサインアウトを求めています。
logout-intro = サインアウトすると、このブラウザーでの { $product } のセッションが終了します。サインインしたアプリでは、そのアプリからもサインアウトするまでサインインしたままになることがあります。
logout-submit = サインアウト
logout-unverified = アプリのサインアウト要求を確認できませんでした（ID トークンが当サービスの発行したものではないか、改ざんされています）。そのため、アプリには戻しません。
logout-done-title = サインアウトしました
logout-done-client = このブラウザーでの { $product } のセッションは終了しました。{ $client } に戻るか、このウィンドウを閉じてください。
logout-done-plain = このブラウザーでの { $product } のセッションは終了しました。このウィンドウは閉じてかまいません。

## Returning to the app (form post)

form-post-title = アプリに戻っています
form-post-intro = 何も起こらない場合は「続行」を押してください。
form-post-submit = 続行

## Demo (development mode)

demo-home-title = 試してみる: デモアプリにサインイン
demo-home-intro = このページは、開発モードに組み込まれた小さなリライングパーティです。このサーバーに対して本物の認可リクエスト（PKCE 付きの認可コードフロー）を開始し、受け取った ID トークンと userinfo の応答を表示します。コードは設定された SMTP サーバーから送信され、設定がない場合は Sesame を実行しているターミナルに表示されます。
demo-mode = 開発モード
demo-start = デモアプリにサインイン
demo-discovery = ディスカバリー:
demo-result-title = サインインしました
demo-app = デモアプリ
demo-result-intro = ID トークンの署名、発行者、対象者、有効期限、nonce を、サーバーが公開している鍵で確認しました。
demo-claims = ID トークンのクレーム
demo-userinfo = Userinfo
demo-times = トークンの日時

## Error pages

error-not-found = ページが見つかりません
    .message = このアドレスにはページがありません。アドレスを確認するか、元のページに戻ってください。
error-internal = 問題が発生しました
    .message = この手順を完了できませんでした。アプリに戻ってもう一度お試しください。
error-unavailable = 一時的に利用できません
    .message = サインインは一時的に利用できません。しばらくしてからもう一度お試しください。
error-session-expired = このサインインは有効期限が切れました
    .message = サインインしようとしていたアプリに戻って、最初からやり直してください。
error-link-altered = このサインインリンクは無効です
    .message = このページのアドレスが変更されたか、不完全です。サインインしようとしていたアプリに戻って、最初からやり直してください。
error-link-other-browser = サインインを始めたブラウザでこのリンクを開いてください
    .message = このサインインリンクは一度だけ、アドレスを入力したブラウザでのみ使えます。まだサインインしていない場合は、そのウィンドウに戻り、同じメッセージの6桁のコードを入力してください。
error-form-expired = このフォームは有効期限が切れました
    .message = 安全のため、このフォームを受け付けられませんでした。アプリに戻って、もう一度サインインしてください。
error-form-unreadable = このフォームを読み取れませんでした
    .message = 送信された内容に、このページが想定していないものが含まれていました。アプリに戻って、もう一度サインインしてください。
error-not-signed-in = サインインしていません
    .message = まずこのサービスを使うアプリにサインインしてから、このページに戻ってください。
error-too-many-requests = サインインのリクエストが多すぎます
    .message = お使いのネットワークからサインインのリクエストが多数届きました。少し待ってからアプリに戻り、もう一度お試しください。
error-device-wait = 少しお待ちください
    .message = お使いのネットワークから間違ったデバイスコードが多数入力されました。約 { $wait } 後にもう一度お試しください。
error-device-expired = このコードは有効期限が切れました
    .message = デバイスコードはもう有効ではありません。デバイスで最初からやり直して、新しいコードを取得してください。
error-invalid-link = このサインインリンクは無効です
error-invalid-logout = このサインアウト要求は無効です
error-unknown-app = 不明なアプリ
    .message = ここへ案内したアプリは、このサインインサービスに登録されていません。

## The code message (email and SMS)

email-subject = { $product } のコード: { $code }
email-heading = { $product } のコード
email-text-first = { $product } のコードは次のとおりです:
email-enter = { $client } にサインインするには、このコードを入力してください:
email-enter-text = { $client } にサインインするには、このコードを入力してください。
email-expires = { $minutes ->
   *[other] 有効期限は { $minutes } 分です。
}
email-ignore = このコードをリクエストしていない場合は、このメッセージを無視してかまいません。コードは誰にも教えないでください。こちらからコードをお尋ねすることはありません。
email-requested-at = { $product }（{ $host } でリクエスト）
email-link-text = または、サインインを始めたブラウザでこのリンクを開いてください:
email-link-button = { $client } にサインイン
link-page-title = { $client } にサインインしますか?
link-intro = このリンクは { $masked } に送信されました。ボタンを押すと、このブラウザで { $client } へのサインインが完了します。
link-submit = サインイン
ids-title = サインイン用のアドレス
ids-intro = どちらでもこの同じアカウントにサインインできます。もう一方を追加すると、どちらでもサインインできます。
ids-email = メールアドレス
ids-phone = 電話番号
ids-none = 未設定
ids-remove = 削除
ids-add-label = メールアドレスまたは電話番号を追加
ids-add-submit = コードを送信
ids-code-intro = { $masked } に6桁のコードを送信しました。ここに入力すると、アカウントに追加されます。
ids-code-submit = 追加
ids-cancel = キャンセル
ids-added = 追加しました。これでこのアカウントにサインインできます。
ids-removed = 削除しました。これではこのアカウントにサインインできなくなりました。
ids-error-already = これはすでにあなたのアカウントにあります。
ids-error-held = 追加できません。すでに別のアカウントのサインインに使われています。先にそちらから削除してください。
ids-error-last = 唯一のサインイン方法は削除できません。
ids-mail-client = { $product } アカウント
sms-text = { $product } のコード: { $code }

## The authorization request, refused as a page

authorize-unregistered-redirect = アプリが登録されていないアドレスへの戻りを求めたため、ここで停止しました。
authorize-unregistered-redirect-dev = アプリが登録されていないアドレスへの戻りを求めたため、ここで停止しました。（開発モード: 要求されたのは { $received }、登録済みは { $registered } です。）
authorize-bad-request = アプリから受け付けられないリクエストが送信されました（{ $detail }）。戻ってもう一度お試しください。
authorize-no-client-id = リクエストにアプリが指定されていません（client_id がありません）。
authorize-no-redirect-uri = リクエストに戻り先が指定されていません（redirect_uri がありません）。
authorize-redirect-too-long = アプリが求めた戻り先のアドレスが { $bytes } バイトを超えているため、ここで停止しました。
who-phone = 末尾が { $digits } の電話番号
who-account = あなたのアカウント
profile-error-length = { $field }: 1 行で { $max } 文字以内にしてください。
profile-error-url = { $field }: https:// から始まる完全なアドレスを入力してください。
profile-error-birthdate = 生年月日: YYYY-MM-DD（または YYYY のみ）の形式で入力してください。
profile-error-zoneinfo = タイムゾーン: Asia/Tokyo のような名前で入力してください。
profile-error-locale = 言語: ja-JP のようなタグで入力してください。
demo-error = デモアプリを完了できませんでした
    .message = デモのリライングパーティからの報告: { $detail }
logout-error-other-client = アプリが送った ID トークンは別のアプリ向けに発行されたものです（client_id が一致しません）。
logout-error-unknown-client = ここへ案内したアプリはもう登録されていません。
logout-error-bad-return = 戻り先のアドレスが無効です。
logout-error-unregistered-return = アプリがサインアウト用に登録していないアドレスへ移動させようとしたため、ここで停止しました。サインインしたままです。
