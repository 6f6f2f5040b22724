// How CLI backends read a message: its parts rendered as the text of their prompt.
import type { InputMessage } from '../../domain/input-message.js';

/** The text a CLI agent reads on stdin: text as is, data as JSON blocks, files by reference. */
export function renderMessageAsText(message: InputMessage): string {
  return message.parts
    .map((part) => {
      switch (part.kind) {
        case 'text':
          return part.text;
        case 'data':
          return `\`\`\`json\n${JSON.stringify(part.data, null, 2)}\n\`\`\``;
        case 'file': {
          const name = part.file.name ? ` (${part.file.name})` : '';
          if (part.file.uri) return `Attached file${name}: ${part.file.uri}`;
          const decoded = Buffer.from(part.file.bytes ?? '', 'base64').toString('utf8');
          return `Attached file${name}:\n\`\`\`\n${decoded}\n\`\`\``;
        }
      }
    })
    .join('\n\n');
}
