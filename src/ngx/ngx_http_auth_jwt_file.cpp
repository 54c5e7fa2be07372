/*
 * Files the module re-reads when they change (key files, revocation
 * lists): reading one whole, and telling one version of it from another.
 */

#include <cerrno>
#include <cstring>

#include "ngx_http_auth_jwt.hpp"


namespace {

std::string
ngx_http_auth_jwt_errno_text(const char *call, const std::string &path)
{
    return std::string(call) + " \"" + path + "\" failed ("
           + std::strerror(errno) + ")";
}

}  /* namespace */


ngx_http_auth_jwt_file_id_t
ngx_http_auth_jwt_file_id(ngx_file_info_t *fi) noexcept
{
    /* ctime too: it also changes when permissions are fixed */
    return { ngx_file_mtime(fi), ngx_file_size(fi), ngx_file_uniq(fi),
             fi->st_ctime };
}


bool
operator==(const ngx_http_auth_jwt_file_id_t &a,
    const ngx_http_auth_jwt_file_id_t &b) noexcept
{
    return a.mtime == b.mtime && a.size == b.size && a.uniq == b.uniq
           && a.ctime == b.ctime;
}


bool
ngx_http_auth_jwt_stat(const std::string &path,
    ngx_http_auth_jwt_file_id_t &id) noexcept
{
    ngx_file_info_t  fi;

    if (ngx_file_info(path.c_str(), &fi) == NGX_FILE_ERROR) {
        return false;
    }

    id = ngx_http_auth_jwt_file_id(&fi);

    return true;
}


bool
ngx_http_auth_jwt_read_file(const std::string &path, const char *what,
    off_t max_size, std::string &content, ngx_http_auth_jwt_file_id_t &id,
    std::string &error)
{
    ngx_fd_t         fd;
    ssize_t          n;
    size_t           got;
    ngx_file_info_t  fi;

    fd = ngx_open_file(path.c_str(), NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        error = ngx_http_auth_jwt_errno_text(ngx_open_file_n, path);

        /* a file there but not readable (permissions) is this version's
         * failure: reported once, not at every check */
        ngx_http_auth_jwt_stat(path, id);

        return false;
    }

    bool ok = false;

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        error = ngx_http_auth_jwt_errno_text(ngx_fd_info_n, path);
        goto done;
    }

    if (ngx_file_size(&fi) > max_size) {
        error = std::string(what) + " \"" + path + "\" is larger than "
                + std::to_string(max_size) + " bytes";
        goto done;
    }

    content.resize(static_cast<size_t>(ngx_file_size(&fi)));

    /* read(2) may return less than asked of a large file */
    for (got = 0; got < content.size(); got += n) {
        n = ngx_read_fd(fd, reinterpret_cast<u_char *>(&content[got]),
                        content.size() - got);
        if (n == NGX_ERROR) {
            error = ngx_http_auth_jwt_errno_text(ngx_read_fd_n, path);
            goto done;
        }

        if (n == 0) {
            break;
        }
    }

    content.resize(got);
    id = ngx_http_auth_jwt_file_id(&fi);
    ok = true;

done:

    ngx_close_file(fd);

    return ok;
}
