# Sesame: العربية.

## Shared

language-name = العربية
footer-line = { $product } · تسجيل الدخول بلا كلمة مرور
footer-request-id = معرّف الطلب: { $id }
nav-profile = ملفك الشخصي
nav-apps = التطبيقات المتصلة
nav-identifiers = عناوين تسجيل الدخول
nav-sign-out = تسجيل الخروج
nav-home = العودة إلى البداية
nav-back-to-app = العودة إلى { $client }
privacy-policy = سياسة الخصوصية
terms-of-service = شروط الخدمة
datetime = { $day }/{ $month }/{ $year } { $hour }:{ $minute } UTC

wait-minutes = { $n ->
    [one] دقيقة واحدة
    [two] دقيقتين
    [few] { $n } دقائق
    [many] { $n } دقيقة
   *[other] { $n } دقيقة
}
wait-hours = { $n ->
    [one] ساعة واحدة
    [two] ساعتين
    [few] { $n } ساعات
    [many] { $n } ساعة
   *[other] { $n } ساعة
}

## Sign-in: the address page

identifier-title = تسجيل الدخول إلى { $client }
identifier-intro-email = سنرسل رمزًا من 6 أرقام إلى بريدك الإلكتروني. لا حاجة إلى كلمة مرور.
identifier-intro-either = سنرسل رمزًا من 6 أرقام إلى بريدك الإلكتروني أو هاتفك. لا حاجة إلى كلمة مرور.
identifier-label-email = البريد الإلكتروني
identifier-label-either = البريد الإلكتروني أو رقم الهاتف
identifier-submit = أرسل لي رمزًا

identifier-error-empty = أدخل بريدك الإلكتروني.
identifier-error-invalid = لا يبدو هذا عنوان بريد إلكتروني. تحقّق منه وحاول مرة أخرى.
identifier-error-too-long = هذا العنوان طويل جدًا.
identifier-error-invisible = لا يبدو هذا عنوان بريد إلكتروني: فهو يحتوي على حرف غير مرئي أو حرف تنسيق (يُلتقط غالبًا عند النسخ). اكتبه مرة أخرى بيدك.
identifier-error-empty-either = أدخل بريدك الإلكتروني أو رقم هاتفك.
identifier-error-not-email-or-phone = أدخل عنوان بريد إلكتروني (مثل name@example.com) أو رقم هاتف.
identifier-error-invalid-phone = لا يمكننا استخدام رقم الهاتف هذا. تحقّق منه، أو اكتبه مع رمز البلد (مثلًا { $example }).
identifier-error-not-mobile = لا يستطيع هذا الرقم استقبال الرسائل النصية. استخدم رقم هاتف محمول أو بريدك الإلكتروني.
identifier-error-phone-unavailable = تسجيل الدخول برقم الهاتف غير متاح هنا. استخدم بريدك الإلكتروني.

## Sign-in: the code page

code-page-title = أدخل الرمز
code-intro = أرسلنا رمزًا من 6 أرقام إلى { $masked } لتسجيل الدخول إلى { $client }. قد يستغرق وصوله دقيقة.
code-label = الرمز المكوّن من 6 أرقام
code-submit = تسجيل الدخول
code-resend = أرسل رمزًا جديدًا
code-restart = استخدم عنوانًا آخر
code-error-format = أدخل الرمز المكوّن من 6 أرقام الموجود في الرسالة.
code-error-wrong = { $remaining ->
    [0] هذا الرمز غير صحيح. اطلب رمزًا جديدًا.
    [one] هذا الرمز غير صحيح. بقيت لك محاولة واحدة.
    [two] هذا الرمز غير صحيح. بقيت لك محاولتان.
    [few] هذا الرمز غير صحيح. بقيت لك { $remaining } محاولات.
   *[other] هذا الرمز غير صحيح. بقيت لك { $remaining } محاولة.
}
code-error-too-many = محاولات خاطئة كثيرة: لم يعد هذا الرمز صالحًا. اطلب رمزًا جديدًا.
code-error-expired = انتهت صلاحية هذا الرمز أو سبق استخدامه. اطلب رمزًا جديدًا.
code-notice-sent = أرسلنا رمزًا جديدًا. الرمز الأحدث وحده يعمل.
code-notice-wait = { $seconds ->
    [one] رمزك في الطريق. يمكنك طلب رمز آخر بعد ثانية واحدة.
    [two] رمزك في الطريق. يمكنك طلب رمز آخر بعد ثانيتين.
    [few] رمزك في الطريق. يمكنك طلب رمز آخر بعد { $seconds } ثوانٍ.
   *[other] رمزك في الطريق. يمكنك طلب رمز آخر بعد { $seconds } ثانية.
}
code-delivery-failed = تعذّر علينا إرسال الرمز. يُرجى المحاولة مرة أخرى بعد قليل.
code-delivery-failed-sms = تعذّر علينا إرسال رسالة نصية إلى هذا الرقم الآن. يُرجى المحاولة مرة أخرى بعد قليل، أو سجّل الدخول ببريدك الإلكتروني.
code-delivery-delayed = يستغرق إرسال الرمز وقتًا أطول من المعتاد. ما زلنا نحاول: يُفترض أن يصل قريبًا.

## Limits

pause-identifier-failures = حفاظًا على أمانك، أُوقفت رموز تسجيل الدخول لهذا العنوان مؤقتًا بعد رموز خاطئة كثيرة. يُرجى المحاولة مرة أخرى بعد نحو { $wait }.
pause-identifier-sends = طُلبت عدة رموز لهذا العنوان مؤخرًا. استخدم أحدث رمز وصلك، أو حاول مرة أخرى بعد نحو { $wait }.
pause-ip-sends = طُلبت رموز كثيرة من شبكتك مؤخرًا. يُرجى المحاولة مرة أخرى بعد نحو { $wait }.
pause-ip-failures = أُدخلت رموز خاطئة كثيرة من شبكتك. يُرجى المحاولة مرة أخرى بعد نحو { $wait }.
sms-denied-country = الرسائل النصية غير متاحة لهذا البلد. يُرجى تسجيل الدخول ببريدك الإلكتروني بدلًا من ذلك.
sms-denied-budget = تسجيل الدخول عبر الرسائل النصية متوقف مؤقتًا اليوم. يُرجى تسجيل الدخول ببريدك الإلكتروني، أو المحاولة غدًا.
sms-denied-network = طُلبت رموز كثيرة من شبكتك مؤخرًا، لذا لن نرسل رسالة نصية أخرى الآن. يُرجى المحاولة مرة أخرى بعد نحو { $wait }، أو سجّل الدخول ببريدك الإلكتروني.
sms-denied-number = أرسلنا بالفعل عدة رموز إلى هذا الرقم. لحمايته لن نرسل رمزًا آخر الآن. يُرجى المحاولة مرة أخرى بعد نحو { $wait }، أو سجّل الدخول ببريدك الإلكتروني.

## Consent

consent-title = هل تسمح لـ { $client } باستخدام حسابك؟
consent-intro = أنت مسجّل الدخول باسم { $who }. التطبيق { $client } لا يديره { $product }، وهو يطلب أن:
consent-withdraw-later = يمكنك سحب هذا الإذن لاحقًا من صفحة التطبيقات المتصلة؛ وعندها يفقد { $client } الوصول.
consent-allow = السماح
consent-cancel = الإلغاء والعودة
scope-openid = يعرف من أنت على { $product } (معرّف حسابك)
scope-email = يرى بريدك الإلكتروني
scope-phone = يرى رقم هاتفك
scope-profile = يرى اسمك وبيانات الملف الشخصي التي أضفتها
scope-address = يرى عنوانك البريدي
scope-groups = يرى المجموعات التي تنتمي إليها
scope-offline-access = يبقى متصلًا حين لا تستخدمه، إلى أن تسحب وصوله
scope-other = يستخدم الإذن «{ $scope }»

## Account pages

signed-in-as = مسجّل الدخول باسم { $who }
profile-title = ملفك الشخصي
profile-intro = كل ما هنا اختياري. لا تراه التطبيقات إلا إذا سمحت لها برؤية ملفك الشخصي أو عنوانك.
profile-saved = حُفظ ملفك الشخصي.
profile-group-name = الاسم
profile-group-web = على الويب
profile-group-about = عنك
profile-group-address = العنوان
profile-name = الاسم الكامل
profile-given-name = الاسم الأول
profile-middle-name = الاسم الأوسط
profile-family-name = اسم العائلة
profile-nickname = الاسم المستعار
profile-username = اسم المستخدم
profile-profile = صفحة الملف الشخصي (https://…)
profile-picture = الصورة (https://…)
profile-website = الموقع الإلكتروني (https://…)
profile-gender = الجنس
profile-birthdate = تاريخ الميلاد (YYYY-MM-DD)
profile-zoneinfo = المنطقة الزمنية (مثلًا Asia/Riyadh)
profile-locale = اللغة (مثلًا ar-SA)
profile-address = العنوان البريدي
profile-country = البلد
profile-save = حفظ
apps-title = التطبيقات المتصلة
apps-withdrawn = لم يعد لـ { $client } وصول إلى حسابك.
apps-none = لم تسمح لأي تطبيق باستخدام حسابك.
apps-intro = لا يدير { $product } هذه التطبيقات. سمحت لكل منها باستخدام حسابك؛ وسحب الإذن يُخرج التطبيق من حسابك فورًا.
apps-may = يمكنه أن:
apps-withdraw = سحب إذن { $client }

## Devices

device-title = ربط جهاز
device-intro = أدخل الرمز الذي يعرضه جهازك.
device-label = الرمز
device-submit = متابعة
device-error-wrong = هذا الرمز غير صحيح أو انتهت صلاحيته. تحقّق من الرمز على جهازك وحاول مرة أخرى.
device-confirm-title = هل تريد تسجيل الدخول إلى { $client } على جهازك؟
device-confirm-intro = أنت مسجّل الدخول باسم { $who }. لا تسمح إلا إذا بدأت هذا على جهاز تملكه ويعرض الرمز الذي كتبته. سيتمكن { $client } من أن:
device-allow = السماح
device-deny = الرفض
device-done-approved = تم ربط جهازك
    .message = يمكنك العودة إلى جهازك؛ سيتابع من تلقاء نفسه.
device-done-denied = رُفض الطلب
    .message = لم يُمنح جهازك الوصول. يمكنك إغلاق هذه النافذة.

## Signing out

logout-title = هل تريد تسجيل الخروج من { $product }؟
logout-asked-by = يطلب منك { $client } تسجيل الخروج.
logout-intro = تسجيل الخروج ينهي جلستك في { $product } على هذا المتصفح. قد تُبقيك التطبيقات التي سجّلت الدخول إليها متصلًا إلى أن تسجّل الخروج منها أيضًا.
logout-submit = تسجيل الخروج
logout-unverified = تعذّر التحقق من طلب تسجيل الخروج الوارد من التطبيق (رمز الهوية الخاص به لم يصدر عنا أو جرى تعديله)، لذا لن نعيدك إليه.
logout-done-title = سجّلت الخروج
logout-done-client = انتهت جلستك في { $product } على هذا المتصفح. يمكنك العودة إلى { $client } أو إغلاق هذه النافذة.
logout-done-plain = انتهت جلستك في { $product } على هذا المتصفح. يمكنك إغلاق هذه النافذة.

## Returning to the app (form post)

form-post-title = العودة إلى التطبيق
form-post-intro = إذا لم يحدث شيء، فاضغط «متابعة».
form-post-submit = متابعة

## Demo (development mode)

demo-home-title = جرّبه: سجّل الدخول إلى التطبيق التجريبي
demo-home-intro = هذه الصفحة طرف معتمد صغير مدمج في وضع التطوير. تبدأ طلب تفويض حقيقيًا (تدفق الرمز مع PKCE) إلى هذا الخادم، ثم تعرض رمز الهوية الذي تتلقاه وإجابة userinfo. تُرسل الرموز عبر خادم SMTP المضبوط، أو تُطبع في الطرفية التي يعمل فيها Sesame إن لم يوجد.
demo-mode = وضع التطوير
demo-start = سجّل الدخول إلى التطبيق التجريبي
demo-discovery = الاكتشاف:
demo-result-title = سجّلت الدخول
demo-app = التطبيق التجريبي
demo-result-intro = جرى التحقق من توقيع رمز الهوية ومُصدره وجمهوره وانتهاء صلاحيته وقيمة nonce بمفاتيح الخادم المنشورة.
demo-claims = مطالبات رمز الهوية
demo-userinfo = Userinfo
demo-times = أوقات الرمز

## Error pages

error-not-found = الصفحة غير موجودة
    .message = لا توجد صفحة على هذا العنوان. تحقّق من العنوان، أو عُد إلى حيث كنت.
error-internal = حدث خطأ ما
    .message = تعذّر علينا إكمال هذه الخطوة. يُرجى العودة إلى التطبيق والمحاولة مرة أخرى.
error-unavailable = غير متاح مؤقتًا
    .message = تسجيل الدخول غير متاح مؤقتًا. يُرجى المحاولة مرة أخرى بعد قليل.
error-session-expired = انتهت صلاحية تسجيل الدخول هذا
    .message = يُرجى العودة إلى التطبيق الذي كنت تسجّل الدخول إليه والبدء من جديد.
error-link-altered = رابط تسجيل الدخول هذا غير صالح
    .message = عُدّل عنوان هذه الصفحة أو أنه غير مكتمل. يُرجى العودة إلى التطبيق الذي كنت تسجّل الدخول إليه والبدء من جديد.
error-link-other-browser = افتح هذا الرابط حيث بدأت
    .message = يعمل رابط تسجيل الدخول هذا مرة واحدة فقط، وفي المتصفح الذي كُتب فيه العنوان فقط. إن لم تكن قد سجّلت الدخول بعد، فعد إلى تلك النافذة واكتب فيها الرمز المكوّن من 6 أرقام من الرسالة نفسها.
error-form-expired = انتهت صلاحية هذا النموذج
    .message = حفاظًا على أمانك لم نتمكن من قبول هذا النموذج. يُرجى العودة إلى التطبيق وتسجيل الدخول مرة أخرى.
error-form-unreadable = تعذّرت قراءة هذا النموذج
    .message = شيء مما أُرسل ليس ما تتوقعه هذه الصفحة. يُرجى العودة إلى التطبيق وتسجيل الدخول مرة أخرى.
error-not-signed-in = أنت لم تسجّل الدخول
    .message = سجّل الدخول أولًا إلى تطبيق يستخدم هذه الخدمة، ثم عُد إلى هذه الصفحة.
error-too-many-requests = طلبات تسجيل دخول كثيرة جدًا
    .message = وصلت للتو طلبات تسجيل دخول كثيرة جدًا من شبكتك. يُرجى الانتظار قليلًا، ثم العودة إلى التطبيق والمحاولة مرة أخرى.
error-device-wait = يُرجى الانتظار قليلًا
    .message = أُدخلت رموز أجهزة خاطئة كثيرة من شبكتك. يُرجى المحاولة مرة أخرى بعد نحو { $wait }.
error-device-expired = انتهت صلاحية هذا الرمز
    .message = لم يعد رمز الجهاز صالحًا. ابدأ من جديد على جهازك للحصول على رمز جديد.
error-invalid-link = رابط تسجيل الدخول هذا غير صالح
error-invalid-logout = طلب تسجيل الخروج هذا غير صالح
error-unknown-app = تطبيق غير معروف
    .message = التطبيق الذي أرسلك إلى هنا غير مسجّل في خدمة تسجيل الدخول هذه.

## The code message (email and SMS)

email-subject = { $code } هو رمزك في { $product }
email-heading = رمزك في { $product }
email-text-first = رمزك في { $product } هو:
email-enter = أدخل هذا الرمز لتسجيل الدخول إلى { $client }:
email-enter-text = أدخله لتسجيل الدخول إلى { $client }.
email-expires = { $minutes ->
    [one] تنتهي صلاحيته بعد دقيقة واحدة.
    [two] تنتهي صلاحيته بعد دقيقتين.
    [few] تنتهي صلاحيته بعد { $minutes } دقائق.
   *[other] تنتهي صلاحيته بعد { $minutes } دقيقة.
}
email-ignore = إذا لم تطلب هذا الرمز، فيمكنك تجاهل هذه الرسالة. لا تشاركه أبدًا: لن نطلبه منك أبدًا.
email-requested-at = { $product }، طُلب على { $host }
email-link-text = أو افتح هذا الرابط في المتصفح الذي بدأت فيه تسجيل الدخول:
email-link-button = تسجيل الدخول إلى { $client }
link-page-title = تسجيل الدخول إلى { $client }؟
link-intro = أُرسل هذا الرابط إلى { $masked }. اضغط على الزر لإكمال تسجيل الدخول إلى { $client } في هذا المتصفح.
link-submit = تسجيل الدخول
ids-title = عناوين تسجيل الدخول
ids-intro = كلٌّ منها يسجّل دخولك إلى هذا الحساب نفسه. أضف الآخر لتسجّل الدخول بأيٍّ منهما.
ids-email = البريد الإلكتروني
ids-phone = رقم الهاتف
ids-none = غير محدد
ids-remove = إزالة
ids-add-label = إضافة بريد إلكتروني أو رقم هاتف
ids-add-submit = إرسال رمز
ids-code-intro = أرسلنا رمزًا مكوّنًا من 6 أرقام إلى { $masked }. اكتبه هنا لإضافته إلى حسابك.
ids-code-submit = إضافة
ids-cancel = إلغاء
ids-added = تمت الإضافة: صار يسجّل دخولك إلى هذا الحساب.
ids-removed = تمت الإزالة: لم يعد يسجّل دخولك إلى هذا الحساب.
ids-error-already = هذا موجود في حسابك بالفعل.
ids-error-held = لا يمكن إضافته: فهو يسجّل الدخول إلى حساب آخر بالفعل. أزله من هناك أولًا.
ids-error-last = لا يمكنك إزالة وسيلتك الوحيدة لتسجيل الدخول.
ids-mail-client = حسابك في { $product }
sms-text = { $code } هو رمزك في { $product }

## The authorization request, refused as a page

authorize-unregistered-redirect = طلب التطبيق العودة إلى عنوان لم يسجّله، لذا توقفنا هنا.
authorize-unregistered-redirect-dev = طلب التطبيق العودة إلى عنوان لم يسجّله، لذا توقفنا هنا. (وضع التطوير: طلب { $received }؛ والمسجّل { $registered }.)
authorize-bad-request = أرسل التطبيق طلبًا لا يمكننا قبوله ({ $detail }). يُرجى الرجوع والمحاولة مرة أخرى.
authorize-no-client-id = لا يحدّد الطلب أي تطبيق (client_id مفقود).
authorize-no-redirect-uri = لا يحدّد الطلب إلى أين يعود (redirect_uri مفقود).
authorize-redirect-too-long = عنوان العودة الذي طلبه التطبيق أطول من { $bytes } بايت، لذا توقفنا هنا.
who-phone = رقم الهاتف المنتهي بـ { $digits }
who-account = حسابك
profile-error-length = { $field }: { $max } حرفًا على الأكثر، في سطر واحد.
profile-error-url = { $field }: أدخل عنوانًا كاملًا يبدأ بـ https://.
profile-error-birthdate = تاريخ الميلاد: استخدم الصيغة YYYY-MM-DD (أو YYYY فقط).
profile-error-zoneinfo = المنطقة الزمنية: اسم مثل Asia/Riyadh.
profile-error-locale = اللغة: وسم مثل ar-SA.
demo-error = تعذّر على التطبيق التجريبي الإكمال
    .message = أفاد الطرف المعتمد التجريبي: { $detail }
logout-error-other-client = رمز الهوية الذي أرسله التطبيق صدر لتطبيق آخر (client_id غير مطابق).
logout-error-unknown-client = التطبيق الذي أرسلك إلى هنا لم يعد مسجّلًا.
logout-error-bad-return = عنوان العودة غير صالح.
logout-error-unregistered-return = طلب التطبيق إرسالك إلى عنوان لم يسجّله لتسجيل الخروج، لذا توقفنا هنا. ما زلت مسجّل الدخول.
