// Submits the form that carries an authorization response to the app (response_mode=form_post).
document.getElementById("form-post").submit();
