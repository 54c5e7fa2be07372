/*
 * Configuration: create and merge the location configuration, and the
 * directive setters that turn arguments into core objects (key sets,
 * algorithm sets) once, at configuration time.
 */

#include <new>
#include <string>

#include "ngx_http_auth_jwt.hpp"

#include "core/key_loader.hpp"


namespace {

bool
starts_with(const ngx_str_t &s, std::string_view prefix) noexcept
{
    return ngx_http_auth_jwt_view(s).substr(0, prefix.size()) == prefix;
}


bool
equals_ignore_case(const ngx_str_t &s, std::string_view word) noexcept
{
    if (s.len != word.size()) {
        return false;
    }

    for (size_t i = 0; i < s.len; i++) {
        if (ngx_tolower(s.data[i]) != ngx_tolower(word[i])) {
            return false;
        }
    }

    return true;
}


/* Adds a secret or a key file to this level's keys, loading it now so
 * that "nginx -t" reports a bad key with its directive and line. */
char *
ngx_http_auth_jwt_add_keys(ngx_conf_t *cf, ngx_http_auth_jwt_loc_conf_t *ajcf,
    ngx_http_auth_jwt_keys_t::Source source)
{
    std::string  error;

    if (ajcf->keys == NULL) {
        ajcf->keys = ngx_http_auth_jwt_conf_new<ngx_http_auth_jwt_keys_t>(cf);

    } else if (ajcf->keys->remote) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"auth_jwt_key\" cannot be combined with keys "
                           "from a key request at the same level");
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    ajcf->keys->has_files |= source.file;

    if (!ngx_http_auth_jwt_keys_add(ajcf->keys, std::move(source), error)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"%V\": %s",
                           &static_cast<ngx_str_t *>(cf->args->elts)[0],
                           error.c_str());
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    return NGX_CONF_OK;
}


char *
ngx_http_auth_jwt_load_file(ngx_conf_t *cf, ngx_http_auth_jwt_loc_conf_t *ajcf,
    ngx_str_t path)
{
    ngx_http_auth_jwt_keys_t::Source  source;

    if (path.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "empty key file name");
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    source.file = true;
    source.shown = std::string(ngx_http_auth_jwt_view(path));

    /* relative to the configuration's directory, like ssl_certificate */
    if (ngx_conf_full_name(cf->cycle, &path, 1) != NGX_OK) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    source.value = std::string(ngx_http_auth_jwt_view(path));

    return ngx_http_auth_jwt_add_keys(cf, ajcf, std::move(source));
}


bool
ngx_http_auth_jwt_secret_encoding(const ngx_str_t &name,
    authjwt::SecretEncoding &encoding) noexcept
{
    std::string_view  v = ngx_http_auth_jwt_view(name);

    if (v == "utf8") {
        encoding = authjwt::SecretEncoding::Utf8;

    } else if (v == "hex") {
        encoding = authjwt::SecretEncoding::Hex;

    } else if (v == "base64") {
        encoding = authjwt::SecretEncoding::Base64;

    } else if (v == "base64url") {
        encoding = authjwt::SecretEncoding::Base64Url;

    } else {
        return false;
    }

    return true;
}


/* "$name" to a source; the Authorization header is read as a Bearer
 * credential, any other variable as the bare token. */
bool
ngx_http_auth_jwt_parse_source(ngx_conf_t *cf, ngx_str_t value,
    ngx_http_auth_jwt_source_t *source)
{
    if (value.len < 2 || value.data[0] != '$') {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid token source \"%V\": "
                           "a variable such as $cookie_NAME is expected",
                           &value);
        return false;
    }

    value.data++;
    value.len--;

    source->index = ngx_http_get_variable_index(cf, &value);
    if (source->index == NGX_ERROR) {
        return false;
    }

    source->bearer = equals_ignore_case(value, "http_authorization");
    source->name = value;
    return true;
}


ngx_array_t *
ngx_http_auth_jwt_default_sources(ngx_conf_t *cf)
{
    ngx_str_t                    name = ngx_string("$http_authorization");
    ngx_array_t                 *sources;
    ngx_http_auth_jwt_source_t  *source;

    sources = ngx_array_create(cf->pool, 1,
                               sizeof(ngx_http_auth_jwt_source_t));
    if (sources == NULL) {
        return NULL;
    }

    source = static_cast<ngx_http_auth_jwt_source_t *>(
        ngx_array_push(sources));
    if (source == NULL
        || !ngx_http_auth_jwt_parse_source(cf, name, source))
    {
        return NULL;
    }

    return sources;
}


/* RFC 7235 2.2: the realm is a quoted-string; keep it to characters that
 * need no escaping. */
bool
ngx_http_auth_jwt_valid_realm(const ngx_str_t &realm) noexcept
{
    for (size_t i = 0; i < realm.len; i++) {
        u_char  c = realm.data[i];

        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
            return false;
        }
    }

    return true;
}


bool
ngx_http_auth_jwt_pool_str(ngx_pool_t *pool, const std::string &from,
    ngx_str_t &to)
{
    to.data = static_cast<u_char *>(ngx_pnalloc(pool, from.size()));
    if (to.data == NULL) {
        return false;
    }

    ngx_memcpy(to.data, from.data(), from.size());
    to.len = from.size();

    return true;
}


/* RFC 6750 3: the challenge names the realm, and error="invalid_token"
 * once a token was presented and refused, or error="insufficient_scope"
 * when a valid token lacks what the location requires. */
bool
ngx_http_auth_jwt_make_challenges(ngx_conf_t *cf,
    ngx_http_auth_jwt_loc_conf_t *ajcf)
{
    std::string  plain = "Bearer";
    std::string  separator = " ";

    if (ajcf->realm.len != 0) {
        plain += " realm=\"";
        plain += ngx_http_auth_jwt_view(ajcf->realm);
        plain += '"';
        separator = ", ";
    }

    return ngx_http_auth_jwt_pool_str(cf->pool, plain, ajcf->challenge)
           && ngx_http_auth_jwt_pool_str(
                  cf->pool, plain + separator + "error=\"invalid_token\"",
                  ajcf->challenge_invalid)
           && ngx_http_auth_jwt_pool_str(
                  cf->pool, plain + separator + "error=\"insufficient_scope\"",
                  ajcf->challenge_scope);
}


char *
ngx_http_auth_jwt_merge_error(ngx_conf_t *cf,
    ngx_http_auth_jwt_loc_conf_t *ajcf, const char *message,
    const std::string &detail)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = static_cast<ngx_http_core_loc_conf_t *>(
        ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module));

    /* a server's own configuration has no location name */
    ngx_log_error(NGX_LOG_EMERG, cf->log, 0, "%s%s for %s\"%V\" "
                  "(\"auth_jwt\" in %V:%ui)", message, detail.c_str(),
                  clcf->name.len ? "location " : "server ", &clcf->name,
                  &ajcf->enable_file, ajcf->enable_line);
    return static_cast<char *>(NGX_CONF_ERROR);
}


/* The rewrite module's location configuration begins with its compiled
 * script, a byte array of word-aligned codes; that layout has not changed
 * since nginx 0.x. The module is found by name, so that an nginx built
 * without it still loads this one. */
struct ngx_http_auth_jwt_rewrite_conf_t {
    ngx_array_t  *codes;
};


ngx_http_auth_jwt_rewrite_conf_t *
ngx_http_auth_jwt_rewrite_conf(ngx_conf_t *cf) noexcept
{
    ngx_uint_t            i;
    ngx_http_conf_ctx_t  *ctx;

    for (i = 0; cf->cycle->modules[i]; i++) {
        if (ngx_strcmp(cf->cycle->modules[i]->name,
                       "ngx_http_rewrite_module") == 0)
        {
            ctx = static_cast<ngx_http_conf_ctx_t *>(cf->ctx);
            return static_cast<ngx_http_auth_jwt_rewrite_conf_t *>(
                ctx->loc_conf[cf->cycle->modules[i]->ctx_index]);
        }
    }

    return NULL;
}


/* Whether this level always answers with "return" in the rewrite phase,
 * which runs before any access check: a "return" with no "if" around it.
 * Any "if" makes us assume the "return" may be conditional. */
bool
ngx_http_auth_jwt_returns_early(ngx_conf_t *cf) noexcept
{
    bool                               has_return;
    uintptr_t                         *word, *last;
    ngx_http_auth_jwt_rewrite_conf_t  *rlcf;

    rlcf = ngx_http_auth_jwt_rewrite_conf(cf);
    if (rlcf == NULL || rlcf->codes == NULL) {
        return false;
    }

    word = static_cast<uintptr_t *>(rlcf->codes->elts);
    last = word + rlcf->codes->nelts * rlcf->codes->size / sizeof(uintptr_t);
    has_return = false;

    for ( /* void */ ; word < last; word++) {
        if (*word == reinterpret_cast<uintptr_t>(ngx_http_script_if_code)) {
            return false;
        }

        if (*word == reinterpret_cast<uintptr_t>(ngx_http_script_return_code))
        {
            has_return = true;
        }
    }

    return has_return;
}


/* Checks made once everything is inherited: a switched-on location must
 * have keys, and keys able to verify some allowed algorithm. */
char *
ngx_http_auth_jwt_check_enabled(ngx_conf_t *cf,
    ngx_http_auth_jwt_loc_conf_t *ajcf)
{
    authjwt::AlgSet  allowed;
    authjwt::AlgSet  listed;

    if (ajcf->keys == NULL
        || (!ajcf->keys->remote && ajcf->keys->current->empty()))
    {
        return ngx_http_auth_jwt_merge_error(cf, ajcf,
                   "\"auth_jwt\" is on but no \"auth_jwt_key\" is "
                   "configured", "");
    }

    listed = authjwt::AlgSet::fromBits(
        ajcf->alg_bits != 0 ? static_cast<std::uint32_t>(ajcf->alg_bits)
                            : authjwt::AlgSet::all().bits());
    allowed = listed & ajcf->keys->current->algs();

    /* fetched keys are only known at run time */
    if (allowed.empty() && !ajcf->keys->remote) {
        return ngx_http_auth_jwt_merge_error(cf, ajcf,
                   "none of the algorithms in \"auth_jwt_alg\" can be "
                   "verified by the configured keys, which accept: ",
                   ajcf->keys->current->algs().names());
    }

    ajcf->listed_bits = listed.bits();

    if (ngx_http_auth_jwt_returns_early(cf)) {
        auto  clcf = static_cast<ngx_http_core_loc_conf_t *>(
                         ngx_http_conf_get_module_loc_conf(
                             cf, ngx_http_core_module));

        ngx_log_error(NGX_LOG_WARN, cf->log, 0,
                      "\"auth_jwt\" has no effect in location \"%V\": "
                      "\"return\" answers in the rewrite phase, before the "
                      "access check (\"auth_jwt\" in %V:%ui)", &clcf->name,
                      &ajcf->enable_file, ajcf->enable_line);
    }

    if (!ngx_http_auth_jwt_make_challenges(cf, ajcf)) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    return NGX_CONF_OK;
}


char *
ngx_http_auth_jwt_merge(ngx_conf_t *cf, ngx_http_auth_jwt_loc_conf_t *prev,
    ngx_http_auth_jwt_loc_conf_t *conf)
{
    if (conf->enable == NGX_CONF_UNSET) {
        conf->enable = prev->enable;
        conf->realm = prev->realm;
        conf->enable_file = prev->enable_file;
        conf->enable_line = prev->enable_line;
    }

    ngx_conf_merge_value(conf->enable, prev->enable, 0);

    ngx_conf_merge_ptr_value(conf->sources, prev->sources, NULL);

    if (conf->sources == NULL) {
        conf->sources = ngx_http_auth_jwt_default_sources(cf);
        if (conf->sources == NULL) {
            return static_cast<char *>(NGX_CONF_ERROR);
        }
    }

    if (conf->keys == NULL) {
        conf->keys = prev->keys;
    }

    ngx_conf_merge_uint_value(conf->alg_bits, prev->alg_bits, 0);
    ngx_conf_merge_value(conf->require_exp, prev->require_exp, 1);
    ngx_conf_merge_sec_value(conf->leeway, prev->leeway, 0);
    ngx_conf_merge_sec_value(conf->key_cache, prev->key_cache, 600);
    ngx_conf_merge_sec_value(conf->key_refetch, prev->key_refetch, 30);
    ngx_conf_merge_size_value(conf->max_size, prev->max_size,
                              authjwt::kDefaultMaxTokenSize);
    ngx_conf_merge_sec_value(conf->max_lifetime, prev->max_lifetime, 0);
    ngx_conf_merge_uint_value(conf->type, prev->type, 0);
    ngx_conf_merge_value(conf->optional, prev->optional, 0);
    ngx_conf_merge_value(conf->allow_preflight, prev->allow_preflight, 0);
    ngx_conf_merge_value(conf->strip_token, prev->strip_token, 0);
    ngx_conf_merge_ptr_value(conf->login_url, prev->login_url, NULL);
    ngx_conf_merge_ptr_value(conf->revoke, prev->revoke, NULL);
    ngx_conf_merge_ptr_value(conf->cache, prev->cache, NULL);

    if (ngx_http_auth_jwt_merge_policy(cf, prev, conf) != NGX_CONF_OK) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    /* discovery fixes the issuer, unless "auth_jwt_issuer" says
     * otherwise */
    if (conf->keys != NULL && conf->keys->remote
        && !conf->keys->remote->issuers.empty()
        && (conf->issuers == NULL || conf->issuers->empty()))
    {
        conf->issuers = &conf->keys->remote->issuers;
    }

    if (!conf->enable) {
        return NGX_CONF_OK;
    }

    return ngx_http_auth_jwt_check_enabled(cf, conf);
}


char *
ngx_http_auth_jwt_set_enable(ngx_conf_t *cf,
    ngx_http_auth_jwt_loc_conf_t *ajcf, ngx_str_t *value)
{
    if (ajcf->enable != NGX_CONF_UNSET) {
        return const_cast<char *>("is duplicate");
    }

    ajcf->enable_file = cf->conf_file->file.name;
    ajcf->enable_line = cf->conf_file->line;

    if (ngx_http_auth_jwt_view(value[1]) == "off") {
        ajcf->enable = 0;
        return NGX_CONF_OK;
    }

    ajcf->enable = 1;

    if (ngx_http_auth_jwt_view(value[1]) == "on") {
        return NGX_CONF_OK;
    }

    if (!ngx_http_auth_jwt_valid_realm(value[1])) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid realm \"%V\": quotes, backslashes and "
                           "control characters are not allowed", &value[1]);
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    ajcf->realm = value[1];

    return NGX_CONF_OK;
}


char *
ngx_http_auth_jwt_set_sources(ngx_conf_t *cf,
    ngx_http_auth_jwt_loc_conf_t *ajcf, ngx_str_t *value, ngx_uint_t n)
{
    ngx_uint_t                   i;
    ngx_http_auth_jwt_source_t  *source;

    if (ajcf->sources != NGX_CONF_UNSET_PTR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "the token source is "
                           "already set by \"auth_jwt_token\" or "
                           "\"auth_jwt ... token=\"");
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    ajcf->sources = ngx_array_create(cf->pool, n,
                                     sizeof(ngx_http_auth_jwt_source_t));
    if (ajcf->sources == NULL) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    for (i = 0; i < n; i++) {
        source = static_cast<ngx_http_auth_jwt_source_t *>(
            ngx_array_push(ajcf->sources));
        if (source == NULL
            || !ngx_http_auth_jwt_parse_source(cf, value[i], source))
        {
            return static_cast<char *>(NGX_CONF_ERROR);
        }
    }

    return NGX_CONF_OK;
}


char *
ngx_http_auth_jwt_set_secret(ngx_conf_t *cf,
    ngx_http_auth_jwt_loc_conf_t *ajcf, ngx_str_t *value)
{
    ngx_http_auth_jwt_keys_t::Source  source;

    if (cf->args->nelts == 3
        && !ngx_http_auth_jwt_secret_encoding(value[2], source.encoding))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid secret encoding \"%V\", expected "
                           "\"utf8\", \"hex\", \"base64\" or \"base64url\"",
                           &value[2]);
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    source.value = std::string(ngx_http_auth_jwt_view(value[1]));

    return ngx_http_auth_jwt_add_keys(cf, ajcf, std::move(source));
}


}  /* namespace */


char *
ngx_http_auth_jwt_conf_failed(ngx_conf_t *cf) noexcept
{
    try {
        throw;

    } catch (const std::bad_alloc &) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "out of memory");

    } catch (const std::exception &e) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "internal error: %s",
                           e.what());

    } catch (...) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "internal error");
    }

    return static_cast<char *>(NGX_CONF_ERROR);
}


void *
ngx_http_auth_jwt_create_loc_conf(ngx_conf_t *cf) noexcept
{
    ngx_http_auth_jwt_loc_conf_t  *conf;

    conf = static_cast<ngx_http_auth_jwt_loc_conf_t *>(
        ngx_pcalloc(cf->pool, sizeof(ngx_http_auth_jwt_loc_conf_t)));
    if (conf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     conf->realm = { 0, NULL };
     *     conf->challenge = { 0, NULL };
     *     conf->challenge_invalid = { 0, NULL };
     *     conf->keys = NULL;
     *     conf->listed_bits = 0;
     *     conf->enable_file = { 0, NULL };
     *     conf->enable_line = 0;
     */

    conf->enable = NGX_CONF_UNSET;
    conf->sources = static_cast<ngx_array_t *>(NGX_CONF_UNSET_PTR);
    conf->alg_bits = NGX_CONF_UNSET_UINT;
    conf->require_exp = NGX_CONF_UNSET;
    conf->leeway = NGX_CONF_UNSET;
    conf->key_cache = NGX_CONF_UNSET;
    conf->key_refetch = NGX_CONF_UNSET;
    conf->max_size = NGX_CONF_UNSET_SIZE;
    conf->max_lifetime = NGX_CONF_UNSET;
    conf->issuers = static_cast<std::vector<std::string> *>(
        NGX_CONF_UNSET_PTR);
    conf->audiences = static_cast<std::vector<std::string> *>(
        NGX_CONF_UNSET_PTR);
    conf->rules = static_cast<ngx_array_t *>(NGX_CONF_UNSET_PTR);
    conf->requires = static_cast<ngx_array_t *>(NGX_CONF_UNSET_PTR);
    conf->type = NGX_CONF_UNSET_UINT;
    conf->optional = NGX_CONF_UNSET;
    conf->allow_preflight = NGX_CONF_UNSET;
    conf->strip_token = NGX_CONF_UNSET;
    conf->login_url = static_cast<ngx_http_complex_value_t *>(
        NGX_CONF_UNSET_PTR);
    conf->revoke = static_cast<ngx_http_auth_jwt_revoke_t *>(
        NGX_CONF_UNSET_PTR);
    conf->cache = static_cast<authjwt::TokenCache *>(NGX_CONF_UNSET_PTR);

    return conf;
}


char *
ngx_http_auth_jwt_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
    noexcept
{
    auto  prev = static_cast<ngx_http_auth_jwt_loc_conf_t *>(parent);
    auto  conf = static_cast<ngx_http_auth_jwt_loc_conf_t *>(child);

    return ngx_http_auth_jwt_guard(cf, [&] {
        return ngx_http_auth_jwt_merge(cf, prev, conf);
    });
}


char *
ngx_http_auth_jwt(ngx_conf_t *cf, ngx_command_t *, void *conf) noexcept
{
    auto        ajcf = static_cast<ngx_http_auth_jwt_loc_conf_t *>(conf);
    ngx_str_t  *value = static_cast<ngx_str_t *>(cf->args->elts);

    return ngx_http_auth_jwt_guard(cf, [&]() -> char * {
        char       *rv;
        ngx_str_t   source;

        rv = ngx_http_auth_jwt_set_enable(cf, ajcf, value);
        if (rv != NGX_CONF_OK || cf->args->nelts == 2) {
            return rv;
        }

        /* NGINX Plus's form: auth_jwt "realm" token=$variable */
        if (!starts_with(value[2], "token=") || ajcf->enable == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\"", &value[2]);
            return static_cast<char *>(NGX_CONF_ERROR);
        }

        source.data = value[2].data + sizeof("token=") - 1;
        source.len = value[2].len - (sizeof("token=") - 1);

        return ngx_http_auth_jwt_set_sources(cf, ajcf, &source, 1);
    });
}


char *
ngx_http_auth_jwt_token(ngx_conf_t *cf, ngx_command_t *, void *conf) noexcept
{
    auto        ajcf = static_cast<ngx_http_auth_jwt_loc_conf_t *>(conf);
    ngx_str_t  *value = static_cast<ngx_str_t *>(cf->args->elts);

    return ngx_http_auth_jwt_guard(cf, [&] {
        return ngx_http_auth_jwt_set_sources(cf, ajcf, &value[1],
                                             cf->args->nelts - 1);
    });
}


char *
ngx_http_auth_jwt_key(ngx_conf_t *cf, ngx_command_t *, void *conf) noexcept
{
    auto        ajcf = static_cast<ngx_http_auth_jwt_loc_conf_t *>(conf);
    ngx_str_t  *value = static_cast<ngx_str_t *>(cf->args->elts);

    return ngx_http_auth_jwt_guard(cf, [&]() -> char * {
        ngx_str_t  path;
        bool       request = starts_with(value[1], "request=");

        if (!starts_with(value[1], "file=") && !request) {
            return ngx_http_auth_jwt_set_secret(cf, ajcf, value);
        }

        if (cf->args->nelts != 2) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\"", &value[2]);
            return static_cast<char *>(NGX_CONF_ERROR);
        }

        if (request) {
            path.data = value[1].data + sizeof("request=") - 1;
            path.len = value[1].len - (sizeof("request=") - 1);

            return ngx_http_auth_jwt_set_key_request(cf, ajcf, path);
        }

        path.data = value[1].data + sizeof("file=") - 1;
        path.len = value[1].len - (sizeof("file=") - 1);

        return ngx_http_auth_jwt_load_file(cf, ajcf, path);
    });
}


char *
ngx_http_auth_jwt_key_file(ngx_conf_t *cf, ngx_command_t *, void *conf)
    noexcept
{
    auto        ajcf = static_cast<ngx_http_auth_jwt_loc_conf_t *>(conf);
    ngx_str_t  *value = static_cast<ngx_str_t *>(cf->args->elts);

    return ngx_http_auth_jwt_guard(cf, [&] {
        return ngx_http_auth_jwt_load_file(cf, ajcf, value[1]);
    });
}


char *
ngx_http_auth_jwt_alg(ngx_conf_t *cf, ngx_command_t *, void *conf) noexcept
{
    auto        ajcf = static_cast<ngx_http_auth_jwt_loc_conf_t *>(conf);
    ngx_str_t  *value = static_cast<ngx_str_t *>(cf->args->elts);

    if (ajcf->alg_bits != NGX_CONF_UNSET_UINT) {
        return const_cast<char *>("is duplicate");
    }

    authjwt::AlgSet  algs;

    for (ngx_uint_t i = 1; i < cf->args->nelts; i++) {
        auto  alg = authjwt::algFromName(ngx_http_auth_jwt_view(value[i]));

        if (equals_ignore_case(value[i], "none")) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\" is never accepted: unsigned tokens "
                               "cannot be authenticated", &value[i]);
            return static_cast<char *>(NGX_CONF_ERROR);
        }

        if (!alg) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "unknown algorithm \"%V\"", &value[i]);
            return static_cast<char *>(NGX_CONF_ERROR);
        }

        algs |= authjwt::AlgSet::of(*alg);
    }

    ajcf->alg_bits = algs.bits();

    return NGX_CONF_OK;
}
