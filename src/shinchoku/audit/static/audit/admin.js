"use strict";
/*
 * The Django admin's autocomplete fields: select2 draws each as a combobox of its own,
 * named by the current choice only (and a nameless "textbox" inside it showing that
 * choice). Name both by the field's label: its <label>, or, in a table row of an inline,
 * the field's own aria-label ("単位（1行目）"). The choice shown is in the language its
 * <option> says it is (a Japanese title on the English admin: the server marks the
 * options, shinchoku.audit.templatetags.admin_languages). Runs once select2 has set the
 * page's fields up, and again for each inline row added.
 */
{
    function markChoiceLanguage(select, rendered) {
        const chosen = select.selectedOptions[0];
        const lang = chosen ? chosen.getAttribute("lang") : null;
        if (lang) {
            rendered.setAttribute("lang", lang);
        } else {
            rendered.removeAttribute("lang");
        }
    }

    function nameCombobox(select) {
        const container = select.nextElementSibling;
        if (!container || !container.classList.contains("select2-container")) {
            return;
        }
        const combobox = container.querySelector(".select2-selection");
        const rendered = container.querySelector(".select2-selection__rendered");
        const search = container.querySelector(".select2-search__field");
        if (rendered) {
            markChoiceLanguage(select, rendered);
            // select2 tells of a new choice by jQuery's "change", which no DOM listener hears.
            window.django.jQuery(select).on("change", () => markChoiceLanguage(select, rendered));
        }
        const label = select.id ? document.querySelector(`label[for="${CSS.escape(select.id)}"]`) : null;
        if (label) {
            if (!label.id) {
                label.id = `${select.id}-label`;
            }
            // The combobox says the label, then the choice.
            combobox.setAttribute("aria-labelledby", rendered && rendered.id ? `${label.id} ${rendered.id}` : label.id);
            for (const part of [rendered, search]) {
                if (part) {
                    part.setAttribute("aria-labelledby", label.id);
                }
            }
        } else if (select.getAttribute("aria-label")) {
            const name = select.getAttribute("aria-label");
            combobox.removeAttribute("aria-labelledby");
            for (const part of [combobox, rendered, search]) {
                if (part) {
                    part.setAttribute("aria-label", name);
                }
            }
        }
    }

    function nameAll(root) {
        for (const select of root.querySelectorAll("select.admin-autocomplete")) {
            nameCombobox(select);
        }
    }

    // Django's autocomplete.js sets select2 up when jQuery finds the page ready, and this
    // script comes after it: jQuery runs the ready handlers in the order they were given.
    if (window.django && window.django.jQuery) {
        window.django.jQuery(() => nameAll(document));
    }
    document.addEventListener("formset:added", (event) => nameAll(event.target));
}

/*
 * The two lists of a "filter_horizontal" field (a group's permissions): SelectFilter2.js
 * labels each list's search box with an icon, a <span> named by an aria-label ("Type into
 * this box to filter down the list of available permissions."), a name that only an
 * element with a role may have. Make each icon an image, so that it is named, and names
 * its box, as Django meant. Runs after SelectFilter2.js has drawn the lists, when the page
 * has loaded: this script comes after it, and the page runs its load handlers in the order
 * they were given.
 */
{
    function nameFilterIcons(root) {
        for (const icon of root.querySelectorAll(".selector-filter .search-label-icon[aria-label]")) {
            icon.setAttribute("role", "img");
        }
    }

    window.addEventListener("load", () => nameFilterIcons(document));
    document.addEventListener("formset:added", (event) => nameFilterIcons(event.target));
}
