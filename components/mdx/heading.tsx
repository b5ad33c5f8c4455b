import type { ComponentProps } from 'react';

/** h2/h3 with the id from rehype-slug and a link to the section, for sharing a place in a long article. */
function makeHeading(Tag: 'h2' | 'h3') {
  return function Heading({ id, children, ...rest }: ComponentProps<'h2'>) {
    return (
      <Tag id={id} {...rest} className="group scroll-mt-24">
        {children}
        {id ? (
          <a
            href={`#${id}`}
            className="heading-anchor ml-2 text-zinc-400 no-underline opacity-0 group-hover:opacity-100 focus:opacity-100"
          >
            <span aria-hidden="true">#</span>
            <span className="sr-only">Link to this section</span>
          </a>
        ) : null}
      </Tag>
    );
  };
}

export const H2 = makeHeading('h2');
export const H3 = makeHeading('h3');
