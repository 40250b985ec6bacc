package io.decibel.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * The subset of Erlang's term syntax that EMQX's {@code acl.conf} uses, read as {@code file:consult} reads it: a
 * sequence of terms, each ended by a full stop; tuples, lists, atoms (plain or quoted), strings, {@code %} comments.
 * {@code .ci/check-emqx-config} has Erlang itself read the file; this reads it in the tests, without Erlang.
 */
final class ErlangTerms {

	/** An atom: {@code allow}, {@code username}, {@code 'and'}. */
	record Atom(String name) {
	}

	/** A tuple: {@code {allow, all}}. */
	record Tuple(List<Object> elements) {

		Object get(int index) {
			return this.elements.get(index);
		}

		int size() {
			return this.elements.size();
		}

	}

	private final String text;

	private int position;

	private ErlangTerms(String text) {
		this.text = text;
	}

	/** The terms of a file, each an {@link Atom}, {@link Tuple}, {@link List} or {@link String}. */
	static List<Object> consult(String text) {
		ErlangTerms reader = new ErlangTerms(text);
		List<Object> terms = new ArrayList<>();
		while (reader.skipBlank()) {
			terms.add(reader.term());
			reader.expect('.');
		}
		return terms;
	}

	private Object term() {
		skipBlank();
		char c = peek();
		if (c == '{') {
			return new Tuple(sequence('{', '}'));
		}
		if (c == '[') {
			return sequence('[', ']');
		}
		if (c == '"' || c == '\'') {
			String quoted = quoted(c);
			return (c == '"') ? quoted : new Atom(quoted);
		}
		if (Character.isLowerCase(c)) {
			int start = this.position;
			while (this.position < this.text.length() && (Character.isLetterOrDigit(peek()) || peek() == '_'
					|| peek() == '@')) {
				this.position++;
			}
			return new Atom(this.text.substring(start, this.position));
		}
		throw error("a term");
	}

	private List<Object> sequence(char open, char close) {
		expect(open);
		List<Object> elements = new ArrayList<>();
		skipBlank();
		if (peek() == close) {
			this.position++;
			return elements;
		}
		while (true) {
			elements.add(term());
			skipBlank();
			char next = next();
			if (next == close) {
				return elements;
			}
			if (next != ',') {
				this.position--;
				throw error("',' or '" + close + "'");
			}
		}
	}

	private String quoted(char quote) {
		expect(quote);
		StringBuilder value = new StringBuilder();
		while (true) {
			char c = next();
			if (c == quote) {
				return value.toString();
			}
			value.append((c == '\\') ? next() : c);
		}
	}

	/** Skips white space and comments; false at the end of the text. */
	private boolean skipBlank() {
		while (this.position < this.text.length()) {
			char c = peek();
			if (c == '%') {
				while (this.position < this.text.length() && peek() != '\n') {
					this.position++;
				}
			}
			else if (Character.isWhitespace(c)) {
				this.position++;
			}
			else {
				return true;
			}
		}
		return false;
	}

	private void expect(char expected) {
		skipBlank();
		if (this.position >= this.text.length() || next() != expected) {
			throw error("'" + expected + "'");
		}
	}

	private char peek() {
		return this.text.charAt(this.position);
	}

	private char next() {
		if (this.position >= this.text.length()) {
			throw error("more");
		}
		return this.text.charAt(this.position++);
	}

	private IllegalArgumentException error(String expected) {
		int line = (int) this.text.substring(0, Math.min(this.position, this.text.length())).lines().count();
		return new IllegalArgumentException("line " + line + ": expected " + expected);
	}

}
