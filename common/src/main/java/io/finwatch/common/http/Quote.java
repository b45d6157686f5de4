package io.finwatch.common.http;

/**
 * What an error message may echo of a client's input: a short prefix, so a 100 KB host name or path costs the
 * answer (and any log line) a few dozen characters, and the rest is only counted.
 */
public final class Quote {

    /** Characters of a client's input an error message repeats. */
    public static final int MAX = 64;

    private Quote() {
    }

    /** {@code text} itself when short; otherwise its first {@link #MAX} characters and how many there were. */
    public static String prefix(String text) {
        if (text == null) {
            return "null";
        }
        if (text.length() <= MAX) {
            return text;
        }
        // Not cut inside a surrogate pair: the JSON encoder would write half a character.
        int end = Character.isHighSurrogate(text.charAt(MAX - 1)) ? MAX - 1 : MAX;
        return text.substring(0, end) + "…(" + text.length() + " characters)";
    }
}
