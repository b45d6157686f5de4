package io.finwatch.streams.query;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The API's JSON: snake_case field names, nulls written, instants as ISO-8601 UTC with milliseconds always
 * present ({@code Instant.toString} drops a zero fraction, which makes clients parse two shapes).
 */
public final class ApiJson {

    public static final String CONTENT_TYPE = "application/json; charset=utf-8";

    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            // Another instance may be newer and answer with more fields.
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .registerModule(new SimpleModule("finwatch-instants")
                    .addSerializer(Instant.class, new JsonSerializer<>() {
                        @Override
                        public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                            gen.writeString(format(value));
                        }
                    })
                    .addDeserializer(Instant.class, new JsonDeserializer<>() {
                        @Override
                        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                            return Instant.parse(p.getValueAsString());
                        }
                    }));

    private ApiJson() {
    }

    /**
     * The same text as the pattern, written digit by digit for the years 0–9999: a list of 100 sockets formats 200
     * instants, and the pattern formatter took 40% of writing it (250 ns each against ~30).
     */
    public static String format(Instant t) {
        long ms = t.toEpochMilli();
        long day = Math.floorDiv(ms, 86_400_000L);
        LocalDate date = LocalDate.ofEpochDay(day);
        int year = date.getYear();
        if (year < 0 || year > 9999) {
            return MILLIS.format(t);
        }
        int msOfDay = (int) (ms - day * 86_400_000L);
        byte[] b = {'0', '0', '0', '0', '-', '0', '0', '-', '0', '0', 'T', '0', '0', ':', '0', '0', ':', '0', '0', '.', '0', '0', '0', 'Z'};
        digits(b, 0, 4, year);
        digits(b, 5, 2, date.getMonthValue());
        digits(b, 8, 2, date.getDayOfMonth());
        digits(b, 11, 2, msOfDay / 3_600_000);
        digits(b, 14, 2, msOfDay / 60_000 % 60);
        digits(b, 17, 2, msOfDay / 1000 % 60);
        digits(b, 20, 3, msOfDay % 1000);
        return new String(b, StandardCharsets.US_ASCII);
    }

    private static void digits(byte[] b, int at, int width, int value) {
        for (int i = at + width - 1; i >= at; i--) {
            b[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serialisable as JSON: " + value.getClass(), e);
        }
    }

    /** A JSON array of {@code type}, as another instance answered it. */
    public static <T> List<T> readList(String json, Class<T> type) throws JsonProcessingException {
        JavaType listType = MAPPER.getTypeFactory().constructCollectionType(List.class, type);
        return MAPPER.readValue(json, listType);
    }
}
