package io.finwatch.streams.query;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A response ready to send: status, JSON body and the headers that go with it. */
public record Answer(int status, String body, Map<String, String> headers) {

    public static final String STALE_HEADER = "X-Finwatch-Stale";
    /** Set on a fan-out answer: the partitions whose stores it read, so the caller proves the merged answer is whole. */
    public static final String PARTITIONS_HEADER = "X-Finwatch-Partitions";

    /** 200 with the elements; {@code X-Finwatch-Stale: true} when any is stale. */
    public static Answer of(List<? extends Element> elements) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (elements.stream().anyMatch(Element::stale)) {
            headers.put(STALE_HEADER, "true");
        }
        return new Answer(200, ApiJson.write(elements), headers);
    }

    public static Answer error(ApiException e) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (e.retryAfterS() != null) {
            headers.put("Retry-After", e.retryAfterS().toString());
        }
        return new Answer(e.status(), ApiJson.write(e.body()), headers);
    }

    public Answer withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Answer(status, body, h);
    }
}
