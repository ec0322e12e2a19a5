/**
 * A tiny XML reader and writer for SOAP envelopes: elements, attributes,
 * text, entities, CDATA, comments. Enough for what SOAP clients send; it
 * rejects malformed input with an error naming the offset.
 */

export interface XmlElement {
  /** Local name, namespace prefix removed (`soapenv:Body` → `Body`). */
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text content of this element (not of its children). */
  text: string;
}

export class XmlSyntaxError extends Error {}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, ent: string) => {
    if (ent.startsWith('#x')) return String.fromCodePoint(parseInt(ent.slice(2), 16));
    if (ent.startsWith('#')) return String.fromCodePoint(parseInt(ent.slice(1), 10));
    return ENTITIES[ent] ?? whole;
  });
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i >= 0 ? qname.slice(i + 1) : qname;
}

/** Parses a document and returns its root element. */
export function parseXml(source: string): XmlElement {
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: Array<{ el: XmlElement; qname: string }> = [{ el: root, qname: '' }];
  let i = 0;
  const top = () => stack[stack.length - 1]!;
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    const textEnd = lt < 0 ? source.length : lt;
    if (textEnd > i) {
      const text = source.slice(i, textEnd);
      if (stack.length === 1) {
        if (text.trim() !== '') throw new XmlSyntaxError(`text outside the root element at offset ${i}`);
      } else {
        top().el.text += decodeEntities(text);
      }
    }
    if (lt < 0) break;
    if (source.startsWith('<?', lt)) {
      const end = source.indexOf('?>', lt);
      if (end < 0) throw new XmlSyntaxError(`unterminated processing instruction at offset ${lt}`);
      i = end + 2;
    } else if (source.startsWith('<!--', lt)) {
      const end = source.indexOf('-->', lt);
      if (end < 0) throw new XmlSyntaxError(`unterminated comment at offset ${lt}`);
      i = end + 3;
    } else if (source.startsWith('<![CDATA[', lt)) {
      const end = source.indexOf(']]>', lt);
      if (end < 0) throw new XmlSyntaxError(`unterminated CDATA at offset ${lt}`);
      if (stack.length > 1) top().el.text += source.slice(lt + 9, end);
      i = end + 3;
    } else if (source.startsWith('</', lt)) {
      const end = source.indexOf('>', lt);
      const qname = source.slice(lt + 2, end).trim();
      if (end < 0 || stack.length === 1 || top().qname !== qname) {
        throw new XmlSyntaxError(`unexpected closing tag </${qname}> at offset ${lt}`);
      }
      stack.pop();
      i = end + 1;
    } else {
      const m = /^<([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(source.slice(lt));
      if (!m) throw new XmlSyntaxError(`malformed tag at offset ${lt}`);
      const [whole, qname, rawAttrs, selfClose] = m as unknown as [string, string, string, string];
      const attrs: Record<string, string> = {};
      for (const a of rawAttrs.matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        attrs[a[1]!] = decodeEntities(a[2] ?? a[3] ?? '');
      }
      const el: XmlElement = { name: localName(qname), attrs, children: [], text: '' };
      if (stack.length === 1 && root.children.length > 0) throw new XmlSyntaxError(`second root element at offset ${lt}`);
      top().el.children.push(el);
      if (!selfClose) stack.push({ el, qname });
      i = lt + whole.length;
    }
  }
  if (stack.length > 1) throw new XmlSyntaxError(`unclosed element <${top().qname}>`);
  const first = root.children[0];
  if (!first) throw new XmlSyntaxError('no root element');
  return first;
}

export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

export function childText(el: XmlElement | undefined, name: string): string | undefined {
  const c = child(el, name);
  return c ? c.text : undefined;
}

export function isNil(el: XmlElement): boolean {
  return Object.entries(el.attrs).some(([k, v]) => localName(k) === 'nil' && v === 'true');
}

/** `<name>value</name>`, or `<name xsi:nil="true"/>` for null; arrays repeat the element. */
export function element(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => element(name, v)).join('');
  if (value === null || value === undefined) return `<${name} xsi:nil="true"/>`;
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => element(k, v))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}
