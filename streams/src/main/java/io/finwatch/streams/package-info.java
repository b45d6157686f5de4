package io.finwatch.streams;
