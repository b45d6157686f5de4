package io.finwatch.streams.cli.query;

import java.net.URI;

/** No HTTP answer at all: nothing listens at the URL, the name does not resolve, TLS failed, or it timed out. */
public final class ApiUnreachable extends Exception {
    private final URI url;

    public ApiUnreachable(URI url, String why, Throwable cause) {
        super(why, cause);
        this.url = url;
    }

    public URI url() {
        return url;
    }

    public String oneLine() {
        return "cannot reach the finwatch API at " + url + " (" + getMessage() + "); is it running? Start it with"
                + " './finwatch streams' or './finwatch local', or point --url (FINWATCH_URL) at a running instance";
    }
}
