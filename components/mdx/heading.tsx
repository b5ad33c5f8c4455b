import type { ComponentProps } from 'react';

/** h2/h3 with the id from rehype-slug and a link to the section, for sharing a place in a long article. */
function makeHeading(Tag: 'h2' | 'h3') {
  return function Heading({ id, children, ...rest }: ComponentProps<'h2'>) {
    return (
      <Tag id={id} {...rest}>
        {children}
        {id ? (
          // Styled in app/styles/components.css (by place, not by class: one per heading, sent twice);
          // the name replaces the "#" a screen reader would say.
          <a href={`#${id}`} aria-label="Link to this section">
            #
          </a>
        ) : null}
      </Tag>
    );
  };
}

export const H2 = makeHeading('h2');
export const H3 = makeHeading('h3');
