/*
 * The key set of one configuration level and what it was built from, so
 * that a worker can build it again when a key file changes: checked at
 * most once a second, on the request path; a file that no longer loads
 * keeps the previous keys in use and is reported once per change.
 */

#include <cerrno>
#include <cstring>

#include "ngx_http_auth_jwt.hpp"

#include "core/key_loader.hpp"


namespace {

/* key files are small; anything larger is a mistake, not a key */
constexpr off_t  kMaxKeyFileSize = 1024 * 1024;


std::string
ngx_http_auth_jwt_errno_text(const char *call, const std::string &path)
{
    return std::string(call) + " \"" + path + "\" failed ("
           + std::strerror(errno) + ")";
}


bool
ngx_http_auth_jwt_same_file(const ngx_http_auth_jwt_keys_t::Source &source,
    ngx_file_info_t *fi) noexcept
{
    return ngx_file_mtime(fi) == source.mtime
           && ngx_file_size(fi) == source.size
           && ngx_file_uniq(fi) == source.uniq
           && fi->st_ctime == source.ctime;
}


void
ngx_http_auth_jwt_remember_file(ngx_http_auth_jwt_keys_t::Source &source,
    ngx_file_info_t *fi) noexcept
{
    source.mtime = ngx_file_mtime(fi);
    source.size = ngx_file_size(fi);
    source.uniq = ngx_file_uniq(fi);
    source.ctime = fi->st_ctime;
}


/* Reads a whole key file, remembering which version of it was read. */
bool
ngx_http_auth_jwt_read_key_file(ngx_http_auth_jwt_keys_t::Source &source,
    std::string &content, std::string &error)
{
    const std::string  &path = source.value;

    ngx_fd_t         fd;
    ssize_t          n;
    ngx_file_info_t  fi;

    fd = ngx_open_file(path.c_str(), NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        error = ngx_http_auth_jwt_errno_text(ngx_open_file_n, path);

        /* a file there but not readable (permissions) is this version's
         * failure: reported once, not every second */
        if (ngx_file_info(path.c_str(), &fi) != NGX_FILE_ERROR) {
            ngx_http_auth_jwt_remember_file(source, &fi);
        }

        return false;
    }

    bool ok = false;

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        error = ngx_http_auth_jwt_errno_text(ngx_fd_info_n, path);

    } else if (ngx_file_size(&fi) > kMaxKeyFileSize) {
        error = "key file \"" + path + "\" is larger than "
                + std::to_string(kMaxKeyFileSize) + " bytes";

    } else {
        content.resize(static_cast<size_t>(ngx_file_size(&fi)));
        n = ngx_read_fd(fd, reinterpret_cast<u_char *>(content.data()),
                        content.size());
        if (n == NGX_ERROR) {
            error = ngx_http_auth_jwt_errno_text(ngx_read_fd_n, path);

        } else {
            content.resize(static_cast<size_t>(n));
            ngx_http_auth_jwt_remember_file(source, &fi);
            ok = true;
        }
    }

    ngx_close_file(fd);

    return ok;
}


bool
ngx_http_auth_jwt_load_source(authjwt::KeySet &set,
    ngx_http_auth_jwt_keys_t::Source &source, std::string &error)
{
    authjwt::KeyLoad  load;

    if (source.file) {
        std::string  content;

        if (!ngx_http_auth_jwt_read_key_file(source, content, error)) {
            return false;
        }

        load = authjwt::loadKeyText(content, source.shown,
                                    authjwt::AlgSet::all());

    } else {
        load = authjwt::loadSecret(source.value, source.encoding,
                                   authjwt::AlgSet::all());
    }

    if (!load.ok()) {
        error = std::move(load.error);
        return false;
    }

    for (authjwt::Key &key : load.keys) {
        set.add(std::move(key));
    }

    return true;
}


/* Whether a key file differs from the version its keys (or its last
 * failed load) came from. A file that cannot be read now (deleted,
 * being replaced) is not a change: its keys stay. */
bool
ngx_http_auth_jwt_files_changed(ngx_http_auth_jwt_keys_t *keys) noexcept
{
    ngx_file_info_t  fi;

    for (const auto &source : keys->sources) {
        if (source.file
            && ngx_file_info(source.value.c_str(), &fi) != NGX_FILE_ERROR
            && !ngx_http_auth_jwt_same_file(source, &fi))
        {
            return true;
        }
    }

    return false;
}


void
ngx_http_auth_jwt_reload(ngx_http_request_t *r, ngx_http_auth_jwt_keys_t *keys)
{
    std::string  error;
    auto         set = std::make_shared<authjwt::KeySet>();

    for (auto &source : keys->sources) {
        if (!ngx_http_auth_jwt_load_source(*set, source, error)) {
            /* the versions read so far are remembered, so a broken file
             * is reported once, not every second */
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "auth_jwt: keeping the previous keys: %s",
                          error.c_str());
            return;
        }
    }

    keys->current = std::move(set);

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "auth_jwt: key files changed, keys reloaded");
}

}  /* namespace */


bool
ngx_http_auth_jwt_keys_add(ngx_http_auth_jwt_keys_t *keys,
    ngx_http_auth_jwt_keys_t::Source source, std::string &error)
{
    if (!ngx_http_auth_jwt_load_source(*keys->current, source, error)) {
        return false;
    }

    keys->sources.push_back(std::move(source));

    return true;
}


const authjwt::KeySet &
ngx_http_auth_jwt_keys_get(ngx_http_request_t *r,
    ngx_http_auth_jwt_keys_t *keys) noexcept
{
    time_t  now = ngx_time();

    if (keys->remote) {
        return ngx_http_auth_jwt_remote_keys(r, keys);
    }

    if (keys->has_files && now != keys->checked) {
        keys->checked = now;

        try {
            if (ngx_http_auth_jwt_files_changed(keys)) {
                ngx_http_auth_jwt_reload(r, keys);
            }

        } catch (...) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "auth_jwt: keeping the previous keys: out of "
                          "memory while reloading");
        }
    }

    return *keys->current;
}
