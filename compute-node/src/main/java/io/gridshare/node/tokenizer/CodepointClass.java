package io.gridshare.node.tokenizer;

/**
 * The code point categories llama.cpp's unicode tables give (unicode-data.cpp): one general
 * category group per code point plus the White_Space property. Undefined (unassigned) code points
 * are their own group, which llama.cpp's splitters treat like punctuation.
 */
final class CodepointClass {

    static final int UNDEFINED = 0;
    static final int NUMBER = 1;
    static final int LETTER = 2;
    static final int SEPARATOR = 3;
    static final int MARK = 4;
    static final int PUNCTUATION = 5;
    static final int SYMBOL = 6;
    static final int CONTROL = 7;

    private CodepointClass() {
    }

    static int category(int cp) {
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> MARK;
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> PUNCTUATION;
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                    Character.OTHER_SYMBOL -> SYMBOL;
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> SEPARATOR;
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE -> CONTROL;
            default -> UNDEFINED;
        };
    }

    /** Unicode's White_Space property (PropList.txt), which llama.cpp's \s follows. */
    static boolean isWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }

    static boolean isLetter(int cp) {
        return category(cp) == LETTER;
    }

    static boolean isNumber(int cp) {
        return category(cp) == NUMBER;
    }

    /**
     * The one-character stand-in llama.cpp's "collapsed" text gives a code point before running a
     * std::regex over it: ASCII stays, other whitespace becomes \v, letters / numbers / punctuation
     * / marks / symbols become 0xD2 / 0xD1 / 0xD3 / 0xD4 / 0xD5, the rest 0xD0.
     */
    static char collapsed(int cp) {
        if (cp < 128) {
            return (char) cp;
        }
        if (isWhitespace(cp)) {
            return '\u000B';
        }
        return switch (category(cp)) {
            case NUMBER -> '\u00D1';
            case LETTER -> '\u00D2';
            case PUNCTUATION -> '\u00D3';
            case MARK -> '\u00D4';
            case SYMBOL -> '\u00D5';
            default -> '\u00D0';
        };
    }
}
