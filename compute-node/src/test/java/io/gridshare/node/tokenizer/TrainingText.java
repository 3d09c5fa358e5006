package io.gridshare.node.tokenizer;

import java.util.Random;

/** Generated multilingual text to train test vocabularies on: same seed, same text. */
public final class TrainingText {

    static final String[] WORDS = {"the", "of", "and", "to", "in", "is", "was", "that", "for", "it", "with", "as",
        "his", "on", "be", "at", "by", "I", "this", "had", "not", "are", "but", "from", "or", "have", "an", "they",
        "which", "one", "you", "were", "her", "all", "she", "there", "would", "their", "we", "him", "been", "has",
        "when", "who", "will", "more", "no", "if", "out", "so", "said", "what", "up", "its", "about", "into",
        "than", "them", "can", "only", "other", "new", "some", "could", "time", "these", "two", "may", "then",
        "do", "first", "any", "my", "now", "such", "like", "our", "over", "man", "me", "even", "most", "made",
        "after", "also", "did", "many", "before", "must", "through", "back", "years", "where", "much", "your",
        "way", "well", "down", "should", "because", "each", "just", "those", "people", "Mr", "how", "too",
        "little", "state", "good", "very", "make", "world", "still", "own", "see", "men", "work", "long", "get",
        "here", "between", "both", "life", "being", "under", "never", "day", "same", "another", "know", "while",
        "last", "might", "us", "great", "old", "year", "off", "come", "since", "against", "go", "came", "right",
        "used", "take", "three", "Hello", "World", "The", "It", "London", "Paris", "Tokyo", "GPU", "Java",
        "token", "tokenizer", "model", "llama", "naïve", "café", "résumé", "façade", "Zürich", "São", "Ελλάδα",
        "Москва", "привет", "мир", "über", "straße", "niño", "jalapeño"};
    static final String[] CJK = {"你好", "世界", "今天", "天气", "很好", "我们", "中国", "日本語", "東京", "こんにちは",
        "ありがとう", "カタカナ", "한국어", "안녕하세요", "学习", "模型", "数据", "人工智能"};
    static final String[] ARABIC = {"مرحبا", "بالعالم", "السلام", "عليكم", "شكرا", "كتاب", "اللغة", "العربية"};
    static final String[] EMOJI = {"😀", "😂", "👍", "🎉", "❤️", "🚀", "🌍", "👨‍👩‍👧‍👦", "👩🏽‍💻", "🏳️‍🌈", "🇯🇵", "✨",
        "🔥", "🙏🏻"};
    static final String[] PUNCT = {".", ",", "!", "?", ";", ":", "...", "-", "—", "(", ")", "\"", "'", "«", "»",
        "“", "”", "#", "$", "%", "&", "*", "+", "=", "<", ">", "/", "\\", "@", "[", "]", "{", "}", "|", "~", "^",
        "`", "_", "€", "£", "¥", "§", "°", "±", "×", "÷"};
    static final String[] CONTRACTIONS = {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'VE",
        "'M", "'LL", "'D"};
    static final String[] SPACES = {" ", " ", " ", " ", " ", "  ", "   ", "\n", "\n\n", "\t", " \n", "\r\n",
        "    ", "\u00A0", "\u3000"};

    private TrainingText() {
    }

    /** About {@code chars} characters of text drawn from {@code seed}. */
    public static String generate(long seed, int chars) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder(chars + 64);
        while (sb.length() < chars) {
            sb.append(fragment(r));
        }
        return sb.toString();
    }

    static String pick(Random r, String[] from) {
        return from[r.nextInt(from.length)];
    }

    static String number(Random r) {
        int digits = 1 + r.nextInt(r.nextInt(10) == 0 ? 14 : 5);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < digits; i++) {
            sb.append((char) ('0' + r.nextInt(10)));
        }
        return sb.toString();
    }

    static String fragment(Random r) {
        int k = r.nextInt(100);
        String s;
        if (k < 55) {
            String w = pick(r, WORDS);
            if (r.nextInt(12) == 0) {
                w = w.toUpperCase(java.util.Locale.ROOT);
            }
            s = w + (r.nextInt(10) == 0 ? pick(r, CONTRACTIONS) : "");
        } else if (k < 63) {
            s = pick(r, CJK);
        } else if (k < 68) {
            s = pick(r, ARABIC);
        } else if (k < 72) {
            s = pick(r, EMOJI);
        } else if (k < 82) {
            s = pick(r, PUNCT);
        } else {
            s = number(r);
        }
        return s + (r.nextInt(10) < 8 ? pick(r, SPACES) : "");
    }
}
